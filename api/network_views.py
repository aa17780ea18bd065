"""The network page (presence map, graph of who works with whom, its table) and the GEXF download."""

import math
import re
from xml.sax.saxutils import quoteattr

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from alliance.addresses import slug_urls

from . import network, presence

# What quoteattr would change: without any of it, a value is only put between double quotes.
_NEEDS_QUOTING = re.compile('[&<>"\n\r\t]')


def _attribute(value: str) -> str:
    """quoteattr(value), without its four replacements for the many values that need none."""
    return quoteattr(value) if _NEEDS_QUOTING.search(value) else f'"{value}"'


GRAPH_WIDTH, GRAPH_HEIGHT = 1000, 700  # room on both sides for the names
GRAPH_NODES = 120  # the most connected; every link is in the table and the download
LABELLED_NODES = 24


def _layout(summary):
    nodes = sorted(summary.nodes, key=lambda n: n.name)  # around the circle in alphabetical order
    cx, cy = GRAPH_WIDTH / 2, GRAPH_HEIGHT / 2
    radius = cy - 50
    labelled = {n.pk for n in sorted(nodes, key=lambda n: (-n.links, n.name))[:LABELLED_NODES]}
    positions = {}
    drawn = []
    for index, node in enumerate(nodes):
        angle = 2 * math.pi * index / max(len(nodes), 1) - math.pi / 2
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        positions[node.pk] = (round(x, 1), round(y, 1))
        drawn.append(
            {
                "node": node,
                "x": round(x, 1),
                "y": round(y, 1),
                "r": min(4 + node.links, 14),
                "label": node.pk in labelled,
                # The link's name, here rather than in the template: 120 {% blocktranslate %} cost more.
                "aria_label": ngettext(
                    "%(name)s, works with one ally", "%(name)s, works with %(counter)s allies", node.links
                )
                % {"name": node.name, "counter": node.links},
                "lx": round(cx + (radius + 18) * math.cos(angle), 1),
                "ly": round(cy + (radius + 18) * math.sin(angle) + 4, 1),
                "anchor": "start" if math.cos(angle) >= 0 else "end",
            }
        )
    lines = [
        {
            "x1": positions[e.source.pk][0],
            "y1": positions[e.source.pk][1],
            "x2": positions[e.target.pk][0],
            "y2": positions[e.target.pk][1],
            "weight": min(len(e.through), 4),
        }
        for e in summary.edges
    ]
    return drawn, lines


def _nodes_markup(drawn):
    """The drawing's allies, as the template wrote them in a loop: each a link with its name, its circle
    and, for the most connected, its label. 120 of them, a dozen variables each, took the template about
    a third of the page's rendering. Text escaped as the template escapes it (`conditional_escape`),
    numbers written as `{% localize off %}` writes them (`str`), labels cut as `truncatechars:28` cuts."""
    parts = []
    for item in drawn:
        name = conditional_escape(item["node"].name)
        label = (
            f'<text x="{item["lx"]}" y="{item["ly"]}" text-anchor="{item["anchor"]}" class="network-svg__label">'
            f"{conditional_escape(Truncator(item['node'].name).chars(28))}</text>"
            if item["label"]
            else ""
        )
        parts.append(
            f'\n        <a href="{conditional_escape(item["node"].url)}" class="network-svg__node" '
            f'aria-label="{conditional_escape(item["aria_label"])}">\n          <title>{name}</title>\n'
            f'          <circle cx="{item["x"]}" cy="{item["y"]}" r="{item["r"]}"></circle>\n          {label}\n'
            "        </a>\n      "
        )
    return mark_safe("".join(parts))  # noqa: S308 - every text escaped above, the rest numbers and constants


def _table(summary):
    """The links between the allies drawn (the drawing's text alternative), each with the addresses of
    what connects them: at ten thousand allies the whole list is for the download, not for a page."""
    urls = {kind: slug_urls(url_name) for kind, url_name in network.KIND_URLS.items()}
    rows = []
    for edge in summary.edges:
        through = [(title, urls[kind](slug)) for kind, title, slug in edge.through]
        rows.append({"source": edge.source, "target": edge.target, "through": through})
    return rows


@require_safe
def network_page(request):
    summary = network.most_connected(GRAPH_NODES)
    nodes, lines = _layout(summary)
    table = _table(summary)
    return render(
        request,
        "api/network.html",
        {
            "table": table,
            "hidden_links": summary.links - len(table),
            "regions": presence.presence(),
            "shapes": presence.shapes_or_none(),
            "shapes_credit": {
                "package": presence.SHAPES_PACKAGE,
                "url": presence.SHAPES_SOURCE,
                "licence": presence.SHAPES_LICENCE,
                "licence_url": presence.SHAPES_LICENCE_URL,
            },
            "graph": summary,
            "nodes": nodes,
            "nodes_markup": _nodes_markup(nodes),
            "lines": lines,
            "graph_width": GRAPH_WIDTH,
            "graph_height": GRAPH_HEIGHT,
            "hidden_nodes": summary.allies - len(nodes),
        },
    )


@require_safe
def network_gexf(request):
    """The whole graph for researchers (Gephi and others read GEXF 1.3)."""
    graph = network.graph()
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
        f'  <meta lastmodifieddate="{timezone.localdate().isoformat()}"><creator>Alleanza</creator></meta>',
        '  <graph defaultedgetype="undirected">',
        '    <attributes class="node"><attribute id="url" title="url" type="string"/></attributes>',
        '    <attributes class="edge"><attribute id="through" title="through" type="string"/></attributes>',
        "    <nodes>",
    ]
    # One `reverse` and one look at the host for the ten thousand addresses (each took about 20 µs).
    site, page = request.build_absolute_uri("/").removesuffix("/"), slug_urls("members:ally_detail")
    for node in sorted(graph.nodes.values(), key=lambda n: n.pk):
        url = site + page(node.slug)
        out.append(
            f'      <node id="{node.pk}" label={_attribute(node.name)}><attvalues>'
            f'<attvalue for="url" value={_attribute(url)}/></attvalues></node>'
        )
    out.append("    </nodes>")
    out.append("    <edges>")
    for index, edge in enumerate(graph.edges):
        through = "; ".join(f"{kind}: {title}" for kind, title, _slug in edge.through)
        out.append(
            f'      <edge id="{index}" source="{edge.source.pk}" target="{edge.target.pk}" '
            f'weight="{len(edge.through)}"><attvalues><attvalue for="through" value={_attribute(through)}/>'
            f"</attvalues></edge>"
        )
    out += ["    </edges>", "  </graph>", "</gexf>", ""]
    response = HttpResponse("\n".join(out), content_type="application/gexf+xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="alleanza-network.gexf"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
