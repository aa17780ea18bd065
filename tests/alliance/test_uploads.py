"""Uploaded images: real bad files are refused with a clear message, good ones come back re-encoded."""

import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from alliance.uploads import clean_image


def image_bytes(image_format, size=(200, 120), *, noise=False, **save_options):
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.linear_gradient("L").resize(size).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **save_options)
    return buffer.getvalue()


def upload(name, content, content_type):
    return SimpleUploadedFile(name, content, content_type=content_type)


def refusal(upload_file):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        clean_image(upload_file)
    return caught.value.code, caught.value.messages


def test_an_image_over_two_megabytes_is_refused_with_its_size():
    content = image_bytes("PNG", (1024, 1024), noise=True)  # random pixels do not compress
    assert 3 * 1024 * 1024 < len(content) < 3.1 * 1024 * 1024

    assert refusal(upload("foto.png", content, "image/png")) == (
        "too_big",
        ["The image is 3.0\xa0MB; the limit is 2.0\xa0MB."],
    )


def test_a_gif_is_refused():
    assert refusal(upload("animazione.gif", image_bytes("GIF"), "image/gif")) == (
        "wrong_type",
        ["Upload a PNG, JPEG or WebP image."],
    )


def test_a_truncated_png_is_refused_as_unreadable():
    content = image_bytes("PNG", (300, 300), noise=True)

    assert refusal(upload("tagliata.png", content[: len(content) // 2], "image/png")) == (
        "unreadable",
        ["This file could not be read as an image: it may be damaged or of another type."],
    )


def test_a_text_file_named_png_is_refused_as_unreadable():
    content = b"Non sono un'immagine, sono un testo.\n" * 20

    assert refusal(upload("finta.png", content, "image/png")) == (
        "unreadable",
        ["This file could not be read as an image: it may be damaged or of another type."],
    )


def test_a_jpeg_comes_back_upright_without_exif_and_at_most_1600_pixels():
    exif = Image.Exif()
    exif[0x010F] = "Fotocamera Esempio"  # Make
    exif[0x0110] = "Modello 1"  # Model
    exif[0x0112] = 6  # Orientation: the camera was turned, the picture must be rotated
    content = image_bytes("JPEG", (3000, 2000), exif=exif.tobytes(), quality=80)
    with Image.open(io.BytesIO(content)) as original:
        assert original.getexif()[0x010F] == "Fotocamera Esempio"

    cleaned = clean_image(upload("ritratto.JPG", content, "image/jpeg"))

    assert (cleaned.name, cleaned.content_type) == ("ritratto.jpg", "image/jpeg")
    with Image.open(io.BytesIO(cleaned.read())) as result:
        assert result.format == "JPEG"
        assert result.size == (1067, 1600)
        assert dict(result.getexif()) == {}
        assert "exif" not in result.info


def test_a_png_stays_a_png():
    cleaned = clean_image(upload("logo.png", image_bytes("PNG", (400, 200)), "image/png"))

    assert (cleaned.name, cleaned.content_type) == ("logo.png", "image/png")
    with Image.open(io.BytesIO(cleaned.read())) as result:
        assert (result.format, result.size) == ("PNG", (400, 200))


@pytest.mark.django_db
def test_a_bad_upload_in_the_join_form_leaves_no_ally_and_no_file(client, settings, tmp_path):
    from alliance.models import Region
    from members.models import Ally, MembershipApplication
    from tests.factories.members import VerifiedUserFactory

    settings.MEDIA_ROOT = tmp_path
    client.force_login(VerifiedUserFactory())
    with translation.override("en"):
        url = reverse("members:join_form", args=["person"])

    response = client.post(
        url,
        {
            "name": "Giulia Ferri",
            "role": "Educatrice",
            "regions": [Region.objects.get(slug="emilia-romagna").pk],
            "principles_version": "1",
            "accept_principles": "on",
            "image": upload("foto.gif", image_bytes("GIF"), "image/gif"),
        },
    )

    assert response.status_code == 200
    assert "Upload a PNG, JPEG or WebP image." in response.content.decode()
    assert (Ally.objects.count(), MembershipApplication.objects.count()) == (0, 0)
    assert list(tmp_path.rglob("*")) == []
