"""The network page (presence map, graph of who works with whom, its table) and the GEXF download."""

import math
from xml.sax.saxutils import quoteattr

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from . import network, presence

GRAPH_WIDTH, GRAPH_HEIGHT = 1000, 700  # room on both sides for the names
GRAPH_NODES = 120  # the most connected; every link is in the table and the download
LABELLED_NODES = 24


def _layout(graph):
    nodes = sorted(graph.nodes.values(), key=lambda n: (-n.links, n.name))[:GRAPH_NODES]
    shown = {node.pk for node in nodes}
    nodes.sort(key=lambda n: n.name)  # around the circle in alphabetical order
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
        for e in graph.edges
        if e.source.pk in shown and e.target.pk in shown
    ]
    return drawn, lines


def _table(graph, nodes):
    """The links between the allies drawn (the drawing's text alternative), each with the addresses of
    what connects them: at ten thousand allies the whole list is for the download, not for a page."""
    shown = {item["node"].pk for item in nodes}
    urls = {}
    rows = []
    for edge in graph.edges:
        if edge.source.pk not in shown or edge.target.pk not in shown:
            continue
        through = []
        for kind, title, slug in edge.through:
            if (kind, slug) not in urls:
                urls[(kind, slug)] = reverse(network.KIND_URLS[kind], kwargs={"slug": slug})
            through.append((title, urls[(kind, slug)]))
        rows.append({"source": edge.source, "target": edge.target, "through": through})
    return rows


@require_safe
def network_page(request):
    graph = network.graph()
    nodes, lines = _layout(graph)
    table = _table(graph, nodes)
    return render(
        request,
        "api/network.html",
        {
            "table": table,
            "hidden_links": len(graph.edges) - len(table),
            "regions": presence.presence(),
            "shapes": presence.shapes_or_none(),
            "shapes_credit": {
                "package": presence.SHAPES_PACKAGE,
                "url": presence.SHAPES_SOURCE,
                "licence": presence.SHAPES_LICENCE,
                "licence_url": presence.SHAPES_LICENCE_URL,
            },
            "graph": graph,
            "nodes": nodes,
            "lines": lines,
            "graph_width": GRAPH_WIDTH,
            "graph_height": GRAPH_HEIGHT,
            "hidden_nodes": max(0, len(graph.nodes) - len(nodes)),
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
    for node in sorted(graph.nodes.values(), key=lambda n: n.pk):
        url = request.build_absolute_uri(reverse("members:ally_detail", kwargs={"slug": node.slug}))
        out.append(
            f'      <node id="{node.pk}" label={quoteattr(node.name)}><attvalues>'
            f'<attvalue for="url" value={quoteattr(url)}/></attvalues></node>'
        )
    out.append("    </nodes>")
    out.append("    <edges>")
    for index, edge in enumerate(graph.edges):
        through = "; ".join(f"{kind}: {title}" for kind, title, _slug in edge.through)
        out.append(
            f'      <edge id="{index}" source="{edge.source.pk}" target="{edge.target.pk}" '
            f'weight="{len(edge.through)}"><attvalues><attvalue for="through" value={quoteattr(through)}/>'
            f"</attvalues></edge>"
        )
    out += ["    </edges>", "  </graph>", "</gexf>", ""]
    response = HttpResponse("\n".join(out), content_type="application/gexf+xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="alleanza-network.gexf"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
