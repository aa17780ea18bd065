"""Open-data downloads: every public ally (public fields only), project, event (with sessions and
speakers) and pathway, as JSON and CSV, under the licence chosen in settings (CC BY 4.0 by default)."""

import csv
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from alliance.csv import safe_cell

from . import selectors, serializers

RESOURCES = {
    "allies": (selectors.public_allies, serializers.AllySerializer),
    "projects": (selectors.public_projects, serializers.ProjectSerializer),
    "events": (selectors.public_events, serializers.EventSerializer),
    "pathways": (selectors.public_pathways, serializers.PathwaySerializer),
}


def licence() -> dict:
    return {
        "name": getattr(settings, "OPEN_DATA_LICENSE", "CC BY 4.0"),
        "url": getattr(settings, "OPEN_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"),
    }


def rows(resource: str, request) -> list[dict]:
    queryset, serializer = RESOURCES[resource]
    return serializer(queryset(), many=True, context={"request": request}).data


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


@require_safe
def index(request):
    return render(request, "api/open_data.html", {"resources": list(RESOURCES), "licence": licence()})


@require_safe
def download(request, resource: str, fmt: str):
    if resource not in RESOURCES or fmt not in ("json", "csv"):
        raise Http404
    data = rows(resource, request)
    stamp = timezone.localdate().isoformat()
    filename = f"alleanza-{resource}-{stamp}.{fmt}"
    if fmt == "json":
        body = json.dumps(
            {"licence": licence(), "generated_at": timezone.now(), "count": len(data), resource: data},
            cls=DjangoJSONEncoder, ensure_ascii=False, indent=1,
        )
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")  # spreadsheets then read the accents right
        fields = list(RESOURCES[resource][1]().fields)
        writer = csv.writer(response)
        writer.writerow(fields)
        for row in data:
            writer.writerow([safe_cell(_flat(row.get(name))) for name in fields])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
