"""The network's presence by region: counts of public allies, projects and events (from the search
index, one query), drawn on a map of Italy's regions.

The boundaries come from the npm package `@svg-maps/italy` (CC BY 4.0, credited on the page),
installed by `make install` with the other front-end packages and pinned in package-lock.json.
The portal reads them once, at start-up (ApiConfig.ready), into plain Python: each region's
outline, with coordinates rounded to a tenth of the drawing's unit (the page carries a lighter
drawing, the eye sees no difference), and the point where its count is written. No third-party
tile, script or request at run time: the map is inline SVG in the page.
"""

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext, ngettext

from alliance.models import Region, SearchDocument

SHAPES_PACKAGE = "@svg-maps/italy"
SHAPES_SOURCE = "https://github.com/VictorCazanave/svg-maps/tree/master/packages/italy"
SHAPES_LICENCE = "CC BY 4.0"
SHAPES_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
# The package's region ids → ISTAT codes (alliance/italy.py).
SHAPE_CODES = {
    "piedmont": "01",
    "aosta-valley": "02",
    "lombardy": "03",
    "trentino-south-tyrol": "04",
    "veneto": "05",
    "friuli-venezia-giulia": "06",
    "liguria": "07",
    "emilia-romagna": "08",
    "tuscany": "09",
    "umbria": "10",
    "marche": "11",
    "lazio": "12",
    "abruzzo": "13",
    "molise": "14",
    "campania": "15",
    "apulia": "16",
    "basilicata": "17",
    "calabria": "18",
    "sicily": "19",
    "sardinia": "20",
}
KINDS = ("ally", "project", "event")


class ShapesMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Shape:
    path: str  # the outline, SVG path data
    label_x: float  # where the count goes: the centre of the largest piece
    label_y: float


@dataclass(frozen=True)
class Shapes:
    view_box: str
    width: int
    height: int
    regions: dict  # ISTAT code → Shape


# --- The boundaries, read once --------------------------------------------------------------

_TOKEN_RE = re.compile(r"[MmLlZz]|-?(?:\d+\.?\d*|\.\d+)(?:[eE]-?\d+)?")


def _rings(path: str) -> list[list[tuple[float, float]]]:
    """The closed outlines of an SVG path made of moves, straight lines and closings (what the
    package uses), in absolute coordinates."""
    tokens = _TOKEN_RE.findall(path)
    rings, ring = [], None
    x = y = 0.0
    start = (0.0, 0.0)
    command = "M"
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in "MmLl":
            command = token
            if token in "Mm":
                ring = None
            index += 1
            continue
        if token in "Zz":
            x, y = start
            ring = None
            index += 1
            continue
        dx, dy = float(token), float(tokens[index + 1])
        index += 2
        if command in "ml":
            x, y = x + dx, y + dy
        else:
            x, y = dx, dy
        if ring is None:
            ring = [(x, y)]
            rings.append(ring)
            start = (x, y)
            command = "l" if command == "m" else ("L" if command == "M" else command)
        else:
            ring.append((x, y))
    return rings


def _number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _compact(rings) -> str:
    """The outlines again as path data, a tenth of a unit precise, relative (short) coordinates."""
    parts = []
    x = y = 0.0
    for ring in rings:
        points = []
        for px, py in ring:
            point = (round(px, 1), round(py, 1))
            if not points or point != points[-1]:
                points.append(point)
        if len(points) < 3:
            continue
        first = points[0]
        out = [f"m{_number(first[0] - x)},{_number(first[1] - y)}"]
        for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
            out.append(f"{_number(bx - ax)},{_number(by - ay)}")
        parts.append(" ".join(out) + "z")
        x, y = first  # after a closing, the next move starts from the outline's first point
    return "".join(parts)


def _area_and_centre(ring):
    area = cx = cy = 0.0
    for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = ax * by - bx * ay
        area += cross
        cx += (ax + bx) * cross
        cy += (ay + by) * cross
    if not area:
        return 0.0, ring[0]
    return abs(area) / 2, (cx / (3 * area), cy / (3 * area))


def _shape(path: str) -> Shape:
    rings = _rings(path)
    largest = max(rings, key=lambda ring: _area_and_centre(ring)[0])
    _area, (x, y) = _area_and_centre(largest)
    return Shape(path=_compact(rings), label_x=round(x, 1), label_y=round(y, 1))


def shapes_file():
    return settings.BASE_DIR / "node_modules" / SHAPES_PACKAGE / "index.js"


@lru_cache(maxsize=1)
def shapes() -> Shapes:
    """The twenty regions' outlines, from the installed package (read once per process)."""
    try:
        text = shapes_file().read_text(encoding="utf-8")
    except OSError as exc:
        raise ShapesMissing(f"{shapes_file()} is missing: run `make install` (npm ci).") from exc
    data = json.loads(text[text.index("{") : text.rindex("}") + 1])  # `export default {...};`
    regions = {SHAPE_CODES[item["id"]]: _shape(item["path"]) for item in data["locations"] if item["id"] in SHAPE_CODES}
    if len(regions) != len(SHAPE_CODES):
        raise ShapesMissing(f"{SHAPES_PACKAGE} has {len(regions)} of the 20 regions: check its version.")
    _x, _y, width, height = (float(n) for n in data["viewBox"].split())
    return Shapes(view_box=data["viewBox"], width=math.ceil(width), height=math.ceil(height), regions=regions)


def shapes_or_none() -> Shapes | None:
    try:
        return shapes()
    except ShapesMissing:
        return None


# --- Presence ---------------------------------------------------------------------------------


@dataclass
class RegionPresence:
    region: Region
    allies: int
    projects: int
    events: int
    shade: int  # 0 (absent) to 4
    shape: Shape | None

    @property
    def total(self) -> int:
        return self.allies + self.projects + self.events

    @property
    def description(self) -> str:
        allies = ngettext("%(count)d ally", "%(count)d allies", self.allies) % {"count": self.allies}
        projects = ngettext("%(count)d project", "%(count)d projects", self.projects) % {"count": self.projects}
        events = ngettext("%(count)d event", "%(count)d events", self.events) % {"count": self.events}
        return gettext("%(region)s: %(allies)s, %(projects)s, %(events)s") % {
            "region": self.region.display_name,
            "allies": allies,
            "projects": projects,
            "events": events,
        }


def _counts() -> dict:
    """{kind: {region slug: public documents}} for the kinds shown, in one query: the documents are
    counted by their set of regions (a few thousand sets at ten thousand allies, read from the index
    `searchdoc_presence_idx`), each set is then split here. The rows are read through a plain cursor:
    Django's rows of values took longer than the counting."""
    public = SearchDocument.objects.filter(is_public=True, kind__in=KINDS).exclude(regions="")
    sql, params = public.values_list("kind", "regions").annotate(count=Count("*")).order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts = {kind: defaultdict(int) for kind in KINDS}
    for kind, regions, count in rows:
        of_kind = counts[kind]
        for slug in regions.split():
            of_kind[slug] += count
    return counts


def presence() -> list[RegionPresence]:
    """Every region with its counts and outline, by name, in two queries (the regions, the counts)."""
    regions = sorted(Region.objects.all(), key=lambda region: region.display_name)
    found = _counts()
    counts = {f"{kind}_{r.code}": found[kind].get(r.slug, 0) for r in regions for kind in KINDS}
    totals = [sum(counts[f"{kind}_{r.code}"] for kind in KINDS) for r in regions]
    top = max(totals, default=0) or 1
    outlines = shapes_or_none()
    return [
        RegionPresence(
            region=region,
            allies=counts[f"ally_{region.code}"],
            projects=counts[f"project_{region.code}"],
            events=counts[f"event_{region.code}"],
            shade=0 if total == 0 else 1 + min(3, (3 * total) // top),
            shape=outlines.regions.get(region.code) if outlines else None,
        )
        for region, total in zip(regions, totals, strict=True)
    ]
