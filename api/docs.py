"""The API's documentation page, drawn by the portal from its own OpenAPI schema (no third-party
script, within the strict Content-Security-Policy)."""

from functools import lru_cache

from django.shortcuts import render
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings

from .views import Schema


@lru_cache(maxsize=1)
def schema() -> dict:
    with patched_settings(Schema.custom_settings):
        return SchemaGenerator().get_schema(request=None, public=True)


@require_safe
def docs(request):
    spec = schema()
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, operation in methods.items():
            operations.append({
                "path": path, "method": method.upper(), "summary": operation.get("summary", ""),
                "parameters": [p for p in operation.get("parameters", []) if p.get("in") == "query"],
                "tag": (operation.get("tags") or [""])[0],
            })
    return render(request, "api/docs.html", {"operations": operations, "info": spec.get("info", {})})
