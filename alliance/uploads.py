"""Uploaded images: checked, decoded and re-encoded before anything is stored.

Re-encoding with Pillow drops metadata (EXIF, GPS positions, comments) and
anything hidden after the image data; the pixel size is bounded.
"""

import io
import os
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


def clean_pdf(upload, *, max_bytes: int = MAX_PDF_BYTES):
    """Return `upload` if it is really a PDF within the size limit; else ValidationError for the person.

    The name and the browser's content type prove nothing: the bytes must start
    like a PDF and end with its end-of-file marker.
    """
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_big",
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(max(upload.size - 2048, 0))
    tail = upload.read()
    upload.seek(0)
    if not head.lstrip(b"\r\n\t ").startswith(b"%PDF-") or b"%%EOF" not in tail:
        raise ValidationError(_("This file is not a PDF document."), code="not_pdf")
    return upload


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
        extension = os.path.splitext(filename)[1].lower()[:8]
        return f"{self.folder}/{secrets.token_urlsafe(16)}{extension}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder
