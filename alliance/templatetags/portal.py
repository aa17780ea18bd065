import datetime

from django import forms, template
from django.conf import settings
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import LazyObject, Promise
from django.utils.html import format_html

register = template.Library()

# The language in which members write what they publish (names, titles, descriptions):
# the content has no English field, so on English pages it is marked as Italian.
CONTENT_LANGUAGE = "it"


@register.simple_tag
def absurl(view_name, *args, **kwargs):
    """An absolute URL for e-mails, in the language the e-mail is being rendered in."""
    return settings.SITE_URL.rstrip("/") + reverse(view_name, args=args, kwargs=kwargs)


@register.filter
def datetime_attr(value):
    """The value of a `datetime` attribute: ISO 8601 in local time, without microseconds
    (the HTML standard allows at most three digits of a second; `|date:'c'` writes six).
    A date stays a date: `{{ event.start|datetime_attr }}`, `{{ update.date|datetime_attr }}`."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""


@register.simple_tag
def content_lang(language=CONTENT_LANGUAGE):
    """` lang="it"` on an element that shows what members wrote, when the page is in
    another language (WCAG 3.1.2); nothing on Italian pages:
    `<p class="summary"{% content_lang %}>{{ project.summary }}</p>`."""
    if (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0] == language:
        return ""
    return format_html(' lang="{}"', language)


@register.simple_tag(takes_context=True)
def error_summary_id(context):
    """A unique id for each error summary of a page (a page may hold several forms):
    "error-summary", then "error-summary-2"... Counted on the request when there is one."""
    holder = context.get("request") or context.render_context
    count = getattr(holder, "_error_summaries", 0) + 1 if holder is not None else 1
    try:
        holder._error_summaries = count
    except AttributeError:  # render_context is a dict-like object without attributes
        pass
    return "error-summary" if count == 1 else f"error-summary-{count}"


@register.simple_tag(takes_context=True)
def page_has_form_errors(context):
    """Whether a form or formset of the page's context was submitted with errors
    (base.html then starts the title with "Error: ")."""
    if context.get("form_has_errors"):
        return True
    for value in context.flatten().values():
        kind = type(value)  # never isinstance(): it would evaluate lazy objects (csrf_token sets a cookie)
        if issubclass(kind, (LazyObject, Promise, Model, QuerySet)):
            continue
        candidates = [value]
        if not issubclass(kind, (forms.BaseForm, forms.BaseFormSet)):
            candidates.append(getattr(value, "form", None))  # an editor object that carries its form
        for candidate in candidates:
            if issubclass(type(candidate), forms.BaseFormSet) and candidate.is_bound:
                if not candidate.is_valid():
                    return True
            elif issubclass(type(candidate), forms.BaseForm) and candidate.is_bound and candidate.errors:
                return True
    return False


@register.simple_tag
def form_error_summary(form):
    """What the error summary of `form` lists: `general` (errors of no visible field:
    the form's own and those of hidden fields, as text) and `fields` (one entry per
    error of a visible field, with the `href` of the field's input), and `count`."""
    general = list(form.non_field_errors()) if form is not None else []
    fields = []
    if form is not None:
        for field in form.hidden_fields():
            general.extend(f"{field.label}: {error}" for error in field.errors)
        for field in form.visible_fields():
            target = field.id_for_label or field.auto_id
            for error in field.errors:
                fields.append({"href": f"#{target}" if target else "", "label": field.label, "error": error})
    return {"general": general, "fields": fields, "count": len(general) + len(fields)}


def _path_in_language(path, code):
    """`path` with its language prefix swapped for `code`'s (none for the default language),
    the segments left as they are: the best address of a page that matched no URL."""
    prefixes = [c for c, _name in settings.LANGUAGES if c != settings.LANGUAGE_CODE]
    for prefix in prefixes:
        if path == f"/{prefix}" or path.startswith(f"/{prefix}/"):
            path = path[len(prefix) + 1 :] or "/"
            break
    return path if code == settings.LANGUAGE_CODE else f"/{code}{path}"


@register.simple_tag(takes_context=True)
def page_language_links(context):
    """The context's `language_links`, except that a link to another language never
    points to the page itself: translate_url() gives back the same path when the path
    matches no URL (a 404), and then the language prefix is swapped instead."""
    links = list(context.get("language_links") or [])
    request = context.get("request")
    if request is None:
        return links
    path = request.get_full_path()
    return [
        {**link, "url": _path_in_language(path, link["code"])} if not link["current"] and link["url"] == path else link
        for link in links
    ]


@register.simple_tag(takes_context=True)
def page_query(context, number, param="page"):
    """`{% querystring page=number %}` for a list whose page parameter is `param` (includes/pagination.html)."""
    from django.template.defaulttags import querystring

    return querystring(context, **{param or "page": number})


@register.simple_tag
def retention_days(name):
    """A retention period in days (alliance/retention.py), for the privacy page."""
    from alliance.retention import period

    return period(name).days
