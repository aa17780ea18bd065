"""Who works with whom: allies connected through the projects they lead or take part in, the
events they organize together and the pathways they promote or follow together (public ones
only, allies of the directory only). One UNION query reads every link; the ally page's "Works with"
section, the network page (SVG graph and table) and the GEXF download all come from it."""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations

from django.db.models import CharField, Q, Value
from django.urls import reverse
from django.utils.translation import gettext as _

from events.models import Event
from events.selectors import PUBLIC as PUBLIC_EVENT
from initiatives.models import Pathway, PathwayApplication, Project, ProjectPartner
from members.models import public_q

KIND_URLS = {
    "project": "initiatives:project_detail",
    "event": "events:event_detail",
    "pathway": "initiatives:pathway_detail",
}
COLUMNS = ("kind", "group_id", "group_title", "group_slug", "ally_id", "ally_name", "ally_slug")


def _kind(name):
    return Value(name, output_field=CharField())


def _memberships(ally_id=None):
    """(kind, group pk, title, slug, ally pk, ally name, ally slug) of every public link, in one query."""
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
    leads = projects.filter(public_q("lead_ally__")).values_list(
        _kind("project"), "pk", "title", "slug", "lead_ally_id", "lead_ally__name", "lead_ally__slug"
    )
    partners = ProjectPartner.objects.filter(public_q("ally__"), project__in=projects.values("pk")).values_list(
        _kind("project"), "project_id", "project__title", "project__slug", "ally_id", "ally__name", "ally__slug"
    )
    organizers = Event.organizers.through.objects.filter(public_q("ally__"), event__in=events.values("pk")).values_list(
        _kind("event"), "event_id", "event__title", "event__slug", "ally_id", "ally__name", "ally__slug"
    )
    promoters = Pathway.organizers.through.objects.filter(
        public_q("ally__"), pathway__in=pathways.values("pk")
    ).values_list(
        _kind("pathway"), "pathway_id", "pathway__title", "pathway__slug", "ally_id", "ally__name", "ally__slug"
    )
    participants = PathwayApplication.objects.filter(admitted, public_q("ally__"), pathway__in=pathways.values("pk"))
    participants = participants.values_list(
        _kind("pathway"), "pathway_id", "pathway__title", "pathway__slug", "ally_id", "ally__name", "ally__slug"
    )
    return list(
        leads.order_by().union(
            partners.order_by(), organizers.order_by(), promoters.order_by(), participants.order_by(), all=True
        )
    )


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
