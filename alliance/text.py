"""Text helpers every domain uses: page addresses from titles. (Search is alliance.search.)"""

from django.utils.text import slugify


def unique_slug(model, text: str, *, fallback: str, reserved=frozenset(), exclude_pk=None) -> str:
    """A slug for `text` not taken by another `model` row, nor one of the `reserved` URL words."""
    base = slugify(text)[:200] or fallback
    if base in reserved:
        base = f"{base}-1"
    taken = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    slug, n = base, 1
    while taken.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
