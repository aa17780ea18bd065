"""Uploaded files: checked before anything is stored, and stored under what they are.

Images are decoded and re-encoded with Pillow, which drops metadata (EXIF,
GPS positions, comments) and anything hidden after the image data; the pixel
size is bounded; the name gets the extension of the format written. PDFs are
read whole with pypdf and refused when they carry active content; the name
gets ``.pdf`` whatever the person's file was called. `RandomName` stores
nothing under an extension other than those.
"""

import io
import os
import re
import secrets

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "WEBP": ("webp", "image/webp")}
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_SIDE = 1600
# Refuse to decode images whose header announces more pixels than this (decompression bombs).
MAX_SOURCE_PIXELS = 40_000_000


def clean_image(upload, *, max_bytes: int = MAX_IMAGE_BYTES, max_side: int = MAX_IMAGE_SIDE):
    """Return a re-encoded copy of `upload`, or raise ValidationError with a message for the person."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("The image is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_big",
        )
    refused = ValidationError(_("Upload a PNG, JPEG or WebP image."), code="wrong_type")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format
            if image_format not in IMAGE_FORMATS:
                raise refused
            if probe.width * probe.height > MAX_SOURCE_PIXELS:
                raise ValidationError(_("The image has too many pixels."), code="too_many_pixels")
            probe.load()  # decodes everything: a truncated file fails here
            image = ImageOps.exif_transpose(probe)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("This file could not be read as an image: it may be damaged or of another type."), code="unreadable"
        ) from exc

    image.thumbnail((max_side, max_side))
    extension, content_type = IMAGE_FORMATS[image_format]
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **({"quality": 85} if image_format != "PNG" else {"optimize": True}))
    stem = os.path.splitext(os.path.basename(upload.name or "image"))[0][:60] or "image"
    return SimpleUploadedFile(f"{stem}.{extension}", buffer.getvalue(), content_type=content_type)


MAX_PDF_BYTES = 10 * 1024 * 1024
# Refuse PDFs with more objects than this: the check walks every one of them.
MAX_PDF_OBJECTS = 200_000

# Names that make a PDF do something when it is opened or clicked, or carry other files.
FORBIDDEN_PDF_KEYS = {
    "/JS",
    "/JavaScript",
    "/AA",
    "/Launch",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/EF",
    "/RichMedia",
    "/XFA",
    "/ImportData",
    "/SubmitForm",
    "/GoToE",
    "/Rendition",
    "/Sound",
    "/Movie",
}
# Action types refused wherever they appear (links to web pages, /URI, and go-to are fine).
FORBIDDEN_PDF_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/ImportData",
    "/SubmitForm",
    "/GoToE",
    "/Rendition",
    "/RichMediaExecute",
    "/Sound",
    "/Movie",
}
_PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)
_MARKUP = re.compile(rb"<\s*(script|html|svg|body|iframe|object|embed|!doctype|\?xml)", re.IGNORECASE)


def clean_pdf(upload, *, max_bytes: int = MAX_PDF_BYTES):
    """Return a copy of `upload` named ``<name>.pdf`` if it is a PDF without active content;
    else raise ValidationError with a message for the person.

    The name and the browser's content type prove nothing. The file must start
    with ``%PDF-`` and end with ``%%EOF``; pypdf then reads **every object** of
    it (compressed object streams included) and any JavaScript, launch or
    import/submit action, additional action (/AA), embedded file, rich media or
    XFA form refuses it; so does HTML or SVG markup outside the streams (a
    polyglot). Encrypted PDFs that do not open without a password cannot be
    checked and are refused.
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_big",
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    not_pdf = ValidationError(_("This file is not a PDF document."), code="not_pdf")
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise not_pdf
    active = ValidationError(
        _(
            "This PDF contains scripts, actions or embedded files, which are not accepted. "
            "Save it again as a plain PDF (for example with “Print to PDF”) and upload that."
        ),
        code="active_content",
    )
    outside_streams = _STREAM.sub(b"stream endstream", data)
    if _MARKUP.search(outside_streams):
        raise not_pdf
    if any(
        _decode_name(name) in FORBIDDEN_PDF_KEYS | FORBIDDEN_PDF_ACTIONS for name in _PDF_NAME.findall(outside_streams)
    ):
        raise active
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(_("This PDF is protected by a password; upload it without one."), code="encrypted")
        if len(reader.pages) < 1:
            raise not_pdf
        if _has_active_content(reader):
            raise active
    except ValidationError:
        raise
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
        NotImplementedError,
        OSError,
        AssertionError,
        ZeroDivisionError,
    ) as exc:
        raise ValidationError(
            _("This PDF could not be read: it may be damaged. Save it again and upload the new copy."),
            code="unreadable",
        ) from exc
    stem = os.path.splitext(os.path.basename(upload.name or "document"))[0][:60] or "document"
    return SimpleUploadedFile(f"{stem}.pdf", data, content_type="application/pdf")


def _decode_name(raw: bytes) -> str:
    """A PDF name with its #xx escapes decoded: /J#61vaScript is /JavaScript."""
    decoded = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
    return "/" + decoded.decode("latin-1")


def _has_active_content(reader) -> bool:
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    numbers = set()
    for generation in reader.xref.values():
        numbers.update(generation.keys())
    numbers.update(getattr(reader, "xref_objStm", {}).keys())
    if len(numbers) > MAX_PDF_OBJECTS:
        raise ValueError("too many objects")
    roots = [reader.trailer]
    for number in numbers:
        try:
            roots.append(reader.get_object(number))
        except Exception:  # noqa: BLE001 - a broken free object is skipped, not trusted
            continue

    seen = set()
    stack = list(roots)
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            continue  # every indirect object is a root of its own above
        if id(item) in seen:
            continue
        seen.add(id(item))
        visited += 1
        if visited > MAX_PDF_OBJECTS * 10:
            raise ValueError("too deep")
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in FORBIDDEN_PDF_KEYS:
                    return True
                if key == "/S" and isinstance(value, NameObject) and value in FORBIDDEN_PDF_ACTIONS:
                    return True
                if key == "/OpenAction" and isinstance(value, (DictionaryObject, IndirectObject)):
                    action = value.get_object()
                    if isinstance(action, DictionaryObject) and action.get("/S") not in (None, "/GoTo", "/URI"):
                        return True
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False


SAFE_EXTENSIONS = {".pdf", ".png", ".jpg", ".jpeg", ".webp"}


@deconstructible
class RandomName:
    """`upload_to` that stores every file under a random name in `folder`.

    Media files are served without a permission check, so the name must not be
    guessable: a draft's brochure or a pending ally's logo stays private until
    its page links to it.
    """

    def __init__(self, folder: str):
        self.folder = folder.strip("/")

    def __call__(self, instance, filename: str) -> str:
        # Only the extensions of what the cleaners produce: a file that kept another name
        # (".html", ".svg") is stored without one and served as plain bytes, never as a page.
        extension = os.path.splitext(filename)[1].lower()
        if extension not in SAFE_EXTENSIONS:
            extension = ""
        return f"{self.folder}/{secrets.token_urlsafe(16)}{extension}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder
