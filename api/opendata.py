"""Open-data downloads: every public ally (public fields only), project, event (with sessions and
speakers) and pathway, as JSON and CSV, under the licence chosen in settings (CC BY 4.0 by default).

The files are written by a nightly task (alliance.publish_open_data, Celery beat) into
OPEN_DATA_ROOT, each replaced whole (a reader never gets half a file), with a gzip copy; the
download view only sends them. A portal that has never run the task writes them at the first
download.
"""

import csv
import gzip
import io
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from alliance.csv import safe_cell

from . import selectors, serializers

RESOURCES = {
    "allies": (selectors.public_allies, serializers.AllySerializer),
    "projects": (selectors.public_projects, serializers.ProjectSerializer),
    "events": (selectors.public_events, serializers.EventSerializer),
    "pathways": (selectors.public_pathways, serializers.PathwaySerializer),
}
FORMATS = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}


def licence() -> dict:
    return {
        "name": getattr(settings, "OPEN_DATA_LICENSE", "CC BY 4.0"),
        "url": getattr(settings, "OPEN_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"),
    }


def rows(resource: str, *, base_url: str) -> list[dict]:
    queryset, serializer = RESOURCES[resource]
    return serializer(queryset(), many=True, context={"base_url": base_url}).data


def _flat(value) -> str:
    """One CSV cell from a value of the JSON: lists joined by " | ", references by their name."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " | ".join(_flat(item) for item in value)
    if isinstance(value, dict):
        for key in ("name", "title", "slug"):
            if key in value:
                return str(value[key])
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json(resource: str, data: list, generated_at) -> bytes:
    return json.dumps(
        {"licence": licence(), "generated_at": generated_at, "count": len(data), resource: data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        indent=1,
    ).encode("utf-8")


def _csv(resource: str, data: list) -> bytes:
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheets then read the accents right
    fields = list(RESOURCES[resource][1]().fields)
    writer = csv.writer(out)
    writer.writerow(fields)
    for row in data:
        writer.writerow([safe_cell(_flat(row.get(name))) for name in fields])
    return out.getvalue().encode("utf-8")


def root() -> Path:
    return Path(settings.OPEN_DATA_ROOT)


def file_name(resource: str, fmt: str) -> str:
    return f"alleanza-{resource}.{fmt}"


def _replace(path: Path, body: bytes) -> None:
    """Write `path` whole or not at all: a temporary file in the same folder, then a rename."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def publish() -> list[Path]:
    """Write every open-data file anew (JSON and CSV of each resource, and their gzip copies), with
    the portal's addresses in the default language. Returns the files written."""
    folder = root()
    folder.mkdir(parents=True, exist_ok=True)
    generated_at = timezone.now()
    written = []
    with translation.override(settings.LANGUAGE_CODE):
        for resource in RESOURCES:
            data = rows(resource, base_url=settings.SITE_URL)
            for fmt, body in (("json", _json(resource, data, generated_at)), ("csv", _csv(resource, data))):
                path = folder / file_name(resource, fmt)
                _replace(path.with_name(path.name + ".gz"), gzip.compress(body, compresslevel=9, mtime=0))
                _replace(path, body)
                written.append(path)
    return written


def last_published() -> datetime | None:
    """When the files were last written (the oldest of them), None before the first time."""
    times = []
    for resource in RESOURCES:
        for fmt in FORMATS:
            try:
                times.append((root() / file_name(resource, fmt)).stat().st_mtime)
            except OSError:
                return None
    return datetime.fromtimestamp(min(times), tz=UTC)


@require_safe
def index(request):
    return render(
        request,
        "api/open_data.html",
        {
            "resources": list(RESOURCES),
            "licence": licence(),
            "published": last_published(),
        },
    )


@require_safe
def download(request, resource: str, fmt: str):
    if resource not in RESOURCES or fmt not in FORMATS:
        raise Http404
    path = root() / file_name(resource, fmt)
    if not path.exists():
        publish()  # before the first nightly run
    compressed = path.with_name(path.name + ".gz")
    send_gzip = "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "") and compressed.exists()
    handle = open(compressed if send_gzip else path, "rb")  # noqa: SIM115 - FileResponse closes it
    modified = os.fstat(handle.fileno()).st_mtime
    stamp = timezone.localdate(datetime.fromtimestamp(modified, tz=UTC)).isoformat()
    response = FileResponse(
        handle, content_type=FORMATS[fmt], as_attachment=True, filename=f"alleanza-{resource}-{stamp}.{fmt}"
    )
    if send_gzip:
        response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
