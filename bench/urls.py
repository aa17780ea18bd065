"""The portal's URLs plus a bare Django view: the baseline public pages are measured against.

The bare view does the least a real page does: one query and a small template.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from alliance.urls import urlpatterns as portal_urlpatterns

TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="it"><head><title>{{ theme }}</title></head>'
    "<body><h1>{{ theme }}</h1><p>{{ count }}</p></body></html>"
)


def bare(request):
    from alliance.models import Theme

    theme = Theme.objects.order_by("pk").first()
    return HttpResponse(TEMPLATE.render({"theme": theme, "count": 1}))


urlpatterns = [path("bench/bare/", bare), *portal_urlpatterns]
