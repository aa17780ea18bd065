"""Who works with whom: allies connected through the projects they lead or take part in, the
events they organize together and the pathways they promote or follow together (public ones
only, allies of the directory only). One UNION query reads every link; the ally page's "Works with"
section and the GEXF download build the graph from its rows, the network page counts it in the
database (`most_connected`: at ten thousand allies it draws the most connected and the links among
them, and reads no other name)."""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import combinations

from django.db import connection
from django.db.models import CharField, Exists, IntegerField, OuterRef, Q, Value
from django.urls import reverse
from django.utils.translation import gettext as _

from alliance.addresses import slug_urls
from events.models import Event
from events.selectors import PUBLIC as PUBLIC_EVENT
from initiatives.models import Pathway, PathwayApplication, Project, ProjectPartner
from members.models import Ally, public_q

KIND_URLS = {
    "project": "initiatives:project_detail",
    "event": "events:event_detail",
    "pathway": "initiatives:pathway_detail",
}
KIND_CODES = {"project": 1, "event": 2, "pathway": 3}


def _kind(name):
    return Value(name, output_field=CharField())


def _memberships(ally_id=None, ids_only=False):
    """Every public link as (kind, group pk, title, slug, ally pk, ally name, ally slug), in one UNION
    query; `ally_id` keeps the groups of that ally (its partners come with them). `ids_only` reads
    (kind code, group pk, ally pk): what counting needs, without reading a name or a title."""
    projects = Project.objects.filter(publication=Project.Publication.PUBLISHED)
    events = Event.objects.filter(PUBLIC_EVENT)
    pathways = Pathway.objects.exclude(status=Pathway.Status.DRAFT)
    admitted = Q(status=PathwayApplication.Status.ADMITTED, show_publicly=True)
    if ally_id is not None:
        projects = projects.filter(Q(lead_ally_id=ally_id) | Q(partners__ally_id=ally_id))
        events = events.filter(organizers=ally_id)
        pathways = pathways.filter(
            Q(organizers=ally_id)
            | Q(pk__in=PathwayApplication.objects.filter(admitted, ally_id=ally_id).values("pathway_id"))
        )
    # (kind, rows, group pk, group title, group slug, ally): the ally field ends in "_id", its name and
    # slug are read through the relation without it.
    parts = [
        # A lead is linked to someone only through its project's partners: a project without any
        # (at ten thousand allies most of them) is not read.
        (
            "project",
            projects.filter(public_q("lead_ally__"), Exists(ProjectPartner.objects.filter(project=OuterRef("pk")))),
            "pk",
            "title",
            "slug",
            "lead_ally_id",
        ),
        (
            "project",
            ProjectPartner.objects.filter(public_q("ally__"), project__in=projects.values("pk")),
            "project_id",
            "project__title",
            "project__slug",
            "ally_id",
        ),
        (
            "event",
            Event.organizers.through.objects.filter(public_q("ally__"), event__in=events.values("pk")),
            "event_id",
            "event__title",
            "event__slug",
            "ally_id",
        ),
        (
            "pathway",
            Pathway.organizers.through.objects.filter(public_q("ally__"), pathway__in=pathways.values("pk")),
            "pathway_id",
            "pathway__title",
            "pathway__slug",
            "ally_id",
        ),
        (
            "pathway",
            PathwayApplication.objects.filter(admitted, public_q("ally__"), pathway__in=pathways.values("pk")),
            "pathway_id",
            "pathway__title",
            "pathway__slug",
            "ally_id",
        ),
    ]
    querysets = []
    for kind, rows, group, title, slug, ally in parts:
        relation = ally.removesuffix("_id")
        if ids_only:
            rows = rows.values_list(Value(KIND_CODES[kind], output_field=IntegerField()), group, ally)
        else:
            rows = rows.values_list(_kind(kind), group, title, slug, ally, f"{relation}__name", f"{relation}__slug")
        querysets.append(rows.order_by())
    return querysets[0].union(*querysets[1:], all=True)


@lru_cache(maxsize=1)
def _link_ids_sql():
    """The SQL of every link's ids (a query that depends on no request), compiled once per process:
    the five querysets of the UNION take longer to compile than the database takes to read them."""
    return _memberships(ids_only=True).query.sql_with_params()


@dataclass
class Node:
    pk: int
    name: str
    slug: str
    links: int = 0

    @cached_property
    def url(self) -> str:
        return reverse("members:ally_detail", kwargs={"slug": self.slug})


@dataclass
class Edge:
    source: Node
    target: Node
    through: list = field(default_factory=list)  # [(kind, title, slug)]


@dataclass
class Graph:
    nodes: dict  # pk → Node
    edges: list


def graph(ally_id=None) -> Graph:
    groups = defaultdict(set)
    titles = {}
    nodes = {}
    for kind, group_id, title, slug, pk, name, ally_slug in _memberships(ally_id):
        groups[(kind, group_id)].add(pk)
        titles[(kind, group_id)] = (title, slug)
        nodes.setdefault(pk, Node(pk, name, ally_slug))
    pairs = defaultdict(list)
    for key, members in groups.items():
        for a, b in combinations(sorted(members), 2):
            if ally_id is not None and ally_id not in (a, b):
                continue
            pairs[(a, b)].append((key[0], *titles[key]))
    edges = []
    for (a, b), through in pairs.items():
        through.sort(key=lambda item: (item[0], item[1]))
        nodes[a].links += 1
        nodes[b].links += 1
        edges.append(Edge(nodes[a], nodes[b], through))
    edges.sort(key=lambda e: (e.source.name, e.target.name))
    connected = {pk: node for pk, node in nodes.items() if node.links}
    return Graph(nodes=connected, edges=edges)


@dataclass
class Summary:
    """What the network page draws: how many allies are connected and by how many links, the most
    connected allies (each with its links to any ally) and the links among them."""

    allies: int
    links: int
    nodes: list  # [Node], most connected first, then by name
    edges: list  # [Edge] between two of `nodes`


def most_connected(limit: int) -> Summary:
    """The network's size, its `limit` most connected allies and the links among them, counted by
    the database over every public link in one query (names are read for the candidates only), then
    the titles of what connects them (a second query, by primary key)."""
    links_sql, params = _link_ids_sql()
    ally_table = connection.ops.quote_name(Ally._meta.db_table)
    # The same order as Python's sort of names (code points), whatever the database's collation.
    by_code_point = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH m (kind, grp, ally) AS ({links_sql}),
            pairs AS (
                SELECT x.ally AS a, y.ally AS b FROM m x JOIN m y ON x.kind = y.kind AND x.grp = y.grp AND x.ally < y.ally
                GROUP BY x.ally, y.ally
            ),
            degrees AS (
                SELECT ally, COUNT(*) AS links FROM (SELECT a AS ally FROM pairs UNION ALL SELECT b FROM pairs) ends
                GROUP BY ally
            ),
            threshold AS (SELECT links FROM degrees ORDER BY links DESC LIMIT 1 OFFSET %s),
            top AS (
                SELECT d.ally, d.links, al.name, al.slug FROM degrees d JOIN {ally_table} al ON al.id = d.ally
                WHERE d.links >= COALESCE((SELECT links FROM threshold), 0)
                ORDER BY d.links DESC, al.name{by_code_point}, al.id
                LIMIT %s
            ),
            near AS (SELECT kind, grp, ally FROM m WHERE ally IN (SELECT ally FROM top))
            SELECT 0, ally, links, (SELECT COUNT(*) FROM pairs), (SELECT COUNT(*) FROM degrees), name, slug FROM top
            UNION ALL
            SELECT DISTINCT 1, x.kind, x.grp, x.ally, y.ally, NULL, NULL
            FROM near x JOIN near y ON x.kind = y.kind AND x.grp = y.grp AND x.ally < y.ally
            """,
            [*params, limit - 1, limit],
        )
        rows = cursor.fetchall()
    # Rows of the most connected: (0, pk, links, all the links, all the connected allies, name, slug);
    # rows of the links among them: (1, kind code, group pk, ally pk, other ally pk, -, -).
    top = sorted((row for row in rows if row[0] == 0), key=lambda row: (-row[2], row[5], row[1]))  # as ranked
    if not top:
        return Summary(allies=0, links=0, nodes=[], edges=[])
    url = slug_urls("members:ally_detail")
    nodes = {}
    for _row, pk, links, _all_links, _all_allies, name, slug in top:
        nodes[pk] = Node(pk, name, slug, links)
        nodes[pk].url = url(slug)
    links = [row[1:5] for row in rows if row[0] == 1]
    titles = _titles({(kind, group) for kind, group, _a, _b in links})
    pairs = defaultdict(list)
    for kind, group, a, b in links:
        pairs[(a, b)].append(titles[(kind, group)])
    edges = []
    for (a, b), through in pairs.items():
        through.sort(key=lambda item: (item[0], item[1]))
        edges.append(Edge(nodes[a], nodes[b], through))
    edges.sort(key=lambda e: (e.source.name, e.target.name))
    return Summary(allies=top[0][4], links=top[0][3], nodes=list(nodes.values()), edges=edges)


def _titles(groups) -> dict:
    """{(kind code, pk): (kind, title, slug)} of the projects, events and pathways named, in one query."""
    models = {"project": Project, "event": Event, "pathway": Pathway}
    querysets = [
        model.objects.filter(pk__in=[pk for code, pk in groups if code == KIND_CODES[kind]])
        .values_list(Value(KIND_CODES[kind], output_field=IntegerField()), "pk", "title", "slug")
        .order_by()
        for kind, model in models.items()
    ]
    names = {code: kind for kind, code in KIND_CODES.items()}
    rows = querysets[0].union(*querysets[1:], all=True) if groups else []
    return {(code, pk): (names[code], title, slug) for code, pk, title, slug in rows}


def kind_label(kind: str) -> str:
    return {"project": _("project"), "event": _("event"), "pathway": _("pathway")}[kind]


def works_with(ally) -> list[tuple[str, str, str]]:
    """The ally page's section: (name, address, what connects them), most connections first."""
    result = graph(ally.pk)
    partners = []
    for edge in result.edges:
        other = edge.target if edge.source.pk == ally.pk else edge.source
        detail = "; ".join(f"{kind_label(kind)}: {title}" for kind, title, _slug in edge.through)
        partners.append((len(edge.through), other.name, other.url, detail))
    partners.sort(key=lambda item: (-item[0], item[1]))
    return [(name, url, detail) for _count, name, url, detail in partners]
