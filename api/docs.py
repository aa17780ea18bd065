"""The API's documentation page, drawn by the portal from its own OpenAPI schema (no third-party
script, within the strict Content-Security-Policy)."""

from functools import lru_cache

from django.shortcuts import render
from django.utils import translation
from django.utils.functional import Promise
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings

from .views import Schema


@lru_cache(maxsize=8)
def schema(language: str) -> dict:
    """The schema with its texts in `language` (they are translatable), made once per language."""
    with translation.override(language), patched_settings(Schema.custom_settings):
        generated = SchemaGenerator().get_schema(request=None, public=True)
        return _resolved(generated)


def _resolved(value):
    """The schema with every lazy translation turned into text while the language is active."""
    if isinstance(value, dict):
        return {key: _resolved(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_resolved(item) for item in value]
    if isinstance(value, Promise):
        return str(value)
    return value


@require_safe
def docs(request):
    spec = schema(translation.get_language())
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, operation in methods.items():
            operations.append(
                {
                    "path": path,
                    "method": method.upper(),
                    "summary": operation.get("summary", ""),
                    "parameters": [p for p in operation.get("parameters", []) if p.get("in") == "query"],
                    "tag": (operation.get("tags") or [""])[0],
                }
            )
    return render(request, "api/docs.html", {"operations": operations, "info": spec.get("info", {})})
