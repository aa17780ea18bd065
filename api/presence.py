"""The network's presence by region: counts of public allies, projects and events (from the search
index, one query) drawn as a schematic map of Italy, a tile per region placed roughly where it is."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext, ngettext

from alliance.models import Region, SearchDocument

# (column, row) of each region on the tile map, by ISTAT code; a short label for the tile.
TILES = {
    "02": (0, 0, "VdA"), "04": (2, 0, "TAA"), "06": (3, 0, "FVG"),
    "01": (0, 1, "Pie"), "03": (1, 1, "Lom"), "05": (2, 1, "Ven"),
    "07": (0, 2, "Lig"), "08": (1, 2, "E-R"),
    "09": (1, 3, "Tos"), "11": (2, 3, "Mar"),
    "10": (1, 4, "Umb"), "13": (2, 4, "Abr"),
    "12": (1, 5, "Laz"), "14": (2, 5, "Mol"), "16": (3, 5, "Pug"),
    "20": (0, 5, "Sar"), "15": (2, 6, "Cam"), "17": (3, 6, "Bas"),
    "18": (3, 7, "Cal"), "19": (2, 8, "Sic"),
}
TILE_W, TILE_H, GAP = 84, 56, 6
KINDS = ("ally", "project", "event")


@dataclass
class Tile:
    region: Region
    x: int
    y: int
    label: str
    allies: int
    projects: int
    events: int
    shade: int  # 0 (absent) to 4

    @property
    def total(self) -> int:
        return self.allies + self.projects + self.events

    @property
    def description(self) -> str:
        allies = ngettext("%(count)d ally", "%(count)d allies", self.allies) % {"count": self.allies}
        projects = ngettext("%(count)d project", "%(count)d projects", self.projects) % {"count": self.projects}
        events = ngettext("%(count)d event", "%(count)d events", self.events) % {"count": self.events}
        return gettext("%(region)s: %(allies)s, %(projects)s, %(events)s") % {
            "region": self.region.display_name, "allies": allies, "projects": projects, "events": events,
        }

    @property
    def cx(self) -> int:
        return self.x + TILE_W // 2


def presence() -> list[Tile]:
    """A tile per region with its counts, in two queries (the regions, the counts)."""
    regions = sorted(Region.objects.all(), key=lambda region: region.display_name)
    aggregates = {}
    for region in regions:
        here = Q(regions__contains=f" {region.slug} ")
        for kind in KINDS:
            aggregates[f"{kind}_{region.code}"] = Count("pk", filter=here & Q(kind=kind))
    counts = SearchDocument.objects.filter(is_public=True, kind__in=KINDS).aggregate(**aggregates) if regions else {}
    totals = [sum(counts[f"{kind}_{r.code}"] for kind in KINDS) for r in regions]
    top = max(totals, default=0) or 1
    tiles = []
    for region, total in zip(regions, totals, strict=True):
        column, row, label = TILES.get(region.code, (4, 8, region.code))
        shade = 0 if total == 0 else 1 + min(3, (3 * total) // top)
        tiles.append(Tile(
            region=region, x=GAP + column * (TILE_W + GAP), y=GAP + row * (TILE_H + GAP), label=label,
            allies=counts[f"ally_{region.code}"], projects=counts[f"project_{region.code}"],
            events=counts[f"event_{region.code}"], shade=shade,
        ))
    return tiles


def map_size() -> tuple[int, int]:
    columns = 1 + max(c for c, _r, _l in TILES.values())
    rows = 1 + max(r for _c, r, _l in TILES.values())
    return GAP + columns * (TILE_W + GAP), GAP + rows * (TILE_H + GAP)
