"""Extension points the domains fill in their AppConfig.ready().

The home page, the site-wide search and the coordination area are owned by
`alliance`, but what they show belongs to the domains: each domain registers
a function here instead of `alliance` importing every domain.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str


@dataclass(frozen=True)
class CoordinationTask:
    """A queue in the coordination area: `count(user)` items waiting, found at `url_name`."""

    label: str
    count: Callable
    url_name: str


@dataclass(frozen=True)
class AllySection:
    """A part of an ally's public page that another domain fills: `items(ally)` returns
    (label, url, detail) tuples; nothing is shown when it returns none."""

    title: str
    items: Callable


@dataclass(frozen=True)
class HomeSection:
    """A part of the home page that a domain fills: `items(region)` returns what to show (the
    visitor's chosen region, or None), rendered by `template` with `items`, `region`, `section`."""

    key: str
    title: str
    items: Callable
    template: str
    more_url_name: str = ""
    position: int = 50


@dataclass(frozen=True)
class HomeCount:
    """A true figure of the network: `count()` (one query) and `label(n)` (an ngettext phrase with n)."""

    count: Callable
    label: Callable
    position: int = 50


@dataclass
class Registry:
    navigation: list[NavItem] = field(default_factory=list)
    coordination_tasks: list[CoordinationTask] = field(default_factory=list)
    coordination_links: list[NavItem] = field(default_factory=list)
    ally_sections: list[AllySection] = field(default_factory=list)
    # Privacy: each domain adds what it stores about a person to the data download
    # (`export(user) -> dict`) and forgets or anonymizes it when the account goes (`forget(user)`).
    personal_data_exports: list[Callable] = field(default_factory=list)
    account_deletion_hooks: list[Callable] = field(default_factory=list)
    # The home page: sections and figures; `region_presence` are functions that take a region (an
    # expression: the home page passes `OuterRef("pk")`) and return querysets of the domain's public
    # content (allies, projects, events) in that region.
    home_sections: list[HomeSection] = field(default_factory=list)
    home_counts: list[HomeCount] = field(default_factory=list)
    region_presence: list[Callable] = field(default_factory=list)


registry = Registry()
