"""Serving uploads (media) so that none of them can run script on the portal's origin.

Uploads are stored only as .pdf, .png, .jpg/.jpeg or .webp (alliance.uploads), but
the headers are the second line: every media response carries
``X-Content-Type-Options: nosniff``, a sandboxing Content-Security-Policy
(``sandbox; default-src 'none'``: a document opened from /media/ gets a unique
origin and no script), and documents (anything but an image) are sent as
``Content-Disposition: attachment``.

When the portal serves media itself (``DJANGO_SERVE_MEDIA``, on with DEBUG),
`serve_media` does it. Behind nginx, the same headers on the proxy::

    location /media/ {
        alias /srv/alleanza/media/;
        types { application/pdf pdf; image/png png; image/jpeg jpg jpeg; image/webp webp; }
        default_type application/octet-stream;
        add_header X-Content-Type-Options "nosniff" always;
        add_header Content-Security-Policy "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'" always;
        location ~* \\.(pdf)$ {
            add_header X-Content-Type-Options "nosniff" always;
            add_header Content-Security-Policy "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'" always;
            add_header Content-Disposition "attachment" always;
        }
    }
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse
from django.views.static import serve

MEDIA_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
INLINE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp"}


def serve_media(request, path):
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    return with_media_headers(response, path)


def with_media_headers(response, path: str):
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    # django-csp must not replace the sandbox with the pages' policy.
    response._csp_exempt = True
    if os.path.splitext(path)[1].lower() not in INLINE_EXTENSIONS:
        response["Content-Disposition"] = "attachment"
    return response


class PrivateStorage(FileSystemStorage):
    """Files under ``PRIVATE_MEDIA_ROOT``, outside MEDIA_ROOT: no address of their own (``url`` refuses), so
    they reach a browser only through a view that checks who asks and answers with `private_file_response`."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public address: link to the view that checks who asks.")


_private_storage = PrivateStorage()


def private_storage():
    """The storage of personal documents (a callable, so that migrations name it rather than its folder)."""
    return _private_storage


def private_file_response(file, download_name: str):
    """A private file as an attachment with the media headers, kept by no cache."""
    response = FileResponse(file.open("rb"), as_attachment=True, filename=download_name)
    response = with_media_headers(response, download_name)
    response["Cache-Control"] = "private, no-store"
    return response
