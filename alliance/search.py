"""The site-wide search: one table of documents, filled by the indexers the domains register.

Each domain registers, from its own `search.py` (imported by its AppConfig.ready()), an
`Indexer`: the model whose rows it indexes, a function that builds the documents of one row
(an event gives its own document and one per session and speaker), and the related models
whose changes rebuild a row's documents. Signals collect what changed and rebuild it once,
after the transaction commits; `manage.py reindex` rebuilds everything.

Words are normalized in Python (`normalize`): accents stripped, lower case, Italian Snowball
stemming plus the final vowel (so "orto" and "orti", "cooperativa" and "cooperative" meet),
a few stop words dropped. Documents store their normalized words in `terms` between single
spaces, queries are normalized the same way, and every query word must be found as a whole
word (the last one also as the beginning of a word, for names typed in part). The SQL is the
same on PostgreSQL and SQLite, so the answers are too; on PostgreSQL a trigram GIN index
serves it, and another one offers names close to a mistyped query when nothing matches.
"""

import html
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import lru_cache

import snowballstemmer
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, IntegerField, Lookup, OuterRef, Q, Value, When
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 8

# Articles, prepositions and conjunctions, Italian and English: found everywhere, they would
# only make a query stricter. Compared before stemming, without accents.
STOP_WORDS = frozenset(
    """
    il lo la i gli le l un uno una un
    di del dello della dei degli delle dell d
    a al allo alla ai agli alle all ad
    da dal dallo dalla dai dagli dalle dall
    in nel nello nella nei negli nelle nell
    con col coi su sul sullo sulla sui sugli sulle sull per tra fra
    e ed o od ma che non se come anche
    the of and or an in on at for to with by from
    """.split()
)

_stemmer = snowballstemmer.stemmer("italian")
_stem_lock = threading.Lock()
_WORD_RE = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower case without accents: "Generatività" → "generativita"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The search form of one folded word (cached: a language has fewer words than a text)."""
    if len(word) > 4 and word.endswith("s"):
        word = word[:-1]  # English plurals: "workshops"
    with _stem_lock:  # snowballstemmer objects keep state between calls
        word = _stemmer.stemWord(word)
    if len(word) > 3 and word[-1] in "aeiou":
        word = word[:-1]  # "orto"/"orti", "rete"/"reti": Snowball keeps short words whole
    return word


def normalize(text: str) -> list[str]:
    """The search words of a text, in order, stop words left out."""
    return [stem(word) for word in _WORD_RE.findall(fold(text or "")) if _is_search_word(word)]


def _is_search_word(word: str) -> bool:
    return word.isdigit() or (len(word) > 1 and word not in STOP_WORDS)


def terms_of(*texts: str) -> str:
    """Normalized words between single spaces, with a space at each end."""
    words = []
    for text in texts:
        words.extend(normalize(text))
    return f" {' '.join(words)} " if words else ""


def clean_query(raw: str) -> str:
    """What the visitor typed, without NUL bytes (PostgreSQL refuses them) and extra spaces."""
    return " ".join((raw or "").replace("\x00", "").split())[:MAX_QUERY_LENGTH]


# --- Documents and indexers ------------------------------------------------------------------


@dataclass
class Doc:
    """One document an indexer builds: `obj` is the thing found (a session, say), shown at `url`."""

    obj: object
    kind: str
    title: str
    url_name: str
    url_kwargs: dict = field(default_factory=dict)
    url_suffix: str = ""
    text: str = ""
    subtitle: str = ""
    regions: Iterable[str] = ()
    date: datetime | date | None = None
    is_public: bool = True
    extra_terms: str = ""  # words found but not shown (labels in both languages, say)


@dataclass
class Kind:
    code: str
    label: str  # plural, for the headings
    position: int


@dataclass
class Indexer:
    """How one model's rows become documents.

    queryset(): every row to index, shaped so that build() asks no more queries;
    build(obj): the row's documents (marked not public when it must not be found);
    related: {model: function(instance) -> pks of this model, or a Q on this model} whose
      saves and deletions rebuild those rows; a Q is resolved after commit, so that a signal
      never adds a query to the request that saves;
    related_m2m: the same for many-to-many relations between other models ({through: function});
    m2m: names of this model's many-to-many fields whose changes rebuild the row.
    """

    model: type
    queryset: Callable
    build: Callable
    related: dict = field(default_factory=dict)
    related_m2m: dict = field(default_factory=dict)
    m2m: tuple = ()

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


KINDS: dict[str, Kind] = {}
INDEXERS: dict[str, Indexer] = {}


def register_kind(code: str, label, position: int) -> None:
    KINDS[code] = Kind(code, label, position)


def register(indexer: Indexer) -> None:
    """Index a model: called once by each domain's search.py."""
    if not INDEXERS and indexer.model._meta.label_lower != "alliance.region":
        _register_places()
    if indexer.label in INDEXERS:
        return
    INDEXERS[indexer.label] = indexer
    uid = f"alliance.search.{indexer.label}"
    own = _handler(indexer, lambda instance: [instance.pk])
    post_save.connect(own, sender=indexer.model, dispatch_uid=uid + ".save", weak=False)
    post_delete.connect(own, sender=indexer.model, dispatch_uid=uid + ".delete", weak=False)
    for name in indexer.m2m:
        through = getattr(indexer.model, name).through
        m2m_changed.connect(_m2m_handler(indexer), sender=through, dispatch_uid=f"{uid}.m2m.{name}", weak=False)
    for model, find in indexer.related.items():
        handler = _handler(indexer, find)
        name = model._meta.label_lower
        post_save.connect(handler, sender=model, dispatch_uid=f"{uid}.rel.{name}.save", weak=False)
        post_delete.connect(handler, sender=model, dispatch_uid=f"{uid}.rel.{name}.delete", weak=False)
    for through, find in indexer.related_m2m.items():
        m2m_changed.connect(
            _related_m2m_handler(indexer, find),
            sender=through,
            dispatch_uid=f"{uid}.relm2m.{through._meta.label_lower}",
            weak=False,
        )


def source_key(label: str, pk) -> str:
    return f"{label}:{pk}"


# --- Keeping the index current ---------------------------------------------------------------

_pending = threading.local()


def schedule(label: str, found) -> None:
    """Rebuild these rows (pks, or a Q on the model) once the transaction commits.

    Runs no query now: the rows are collected per thread and rebuilt once per commit.
    """
    if label not in INDEXERS or found is None:
        return
    state = getattr(_pending, "state", None)
    if state is None:
        state = _pending.state = {"pks": defaultdict(set), "where": defaultdict(list)}
    if isinstance(found, Q):
        state["where"][label].append(found)
    else:
        state["pks"][label].update(pk for pk in found if pk is not None)
    # A callback per change (a rolled-back savepoint takes its own away); the first to run
    # rebuilds everything collected, the others find nothing left to do.
    transaction.on_commit(_flush)


def _flush():
    state = getattr(_pending, "state", None)
    _pending.state = None
    if not state:
        return
    pks = state["pks"]
    for label, conditions in state["where"].items():
        model = INDEXERS[label].model
        where = Q()
        for condition in conditions:
            where |= condition
        pks[label].update(model._default_manager.filter(where).values_list("pk", flat=True).distinct())
    for label, found in pks.items():
        if found:
            reindex(label, found)


def _handler(indexer, find):
    def handler(sender, instance, **kwargs):
        if kwargs.get("raw"):
            return  # loaddata: `reindex` afterwards
        schedule(indexer.label, find(instance))

    return handler


def _m2m_handler(indexer):
    def handler(sender, instance, action, model, pk_set, **kwargs):
        if not action.startswith("post_"):
            return
        if isinstance(instance, indexer.model):
            schedule(indexer.label, [instance.pk])
        elif model is indexer.model and pk_set:
            schedule(indexer.label, pk_set)

    return handler


def _related_m2m_handler(indexer, find):
    def handler(sender, instance, action, **kwargs):
        if action.startswith("post_"):
            schedule(indexer.label, find(instance))

    return handler


def reindex(label: str, pks: Iterable | None = None) -> int:
    """Rebuild the documents of these rows of one indexed model (all rows when `pks` is None)."""
    from django.contrib.contenttypes.models import ContentType

    from .models import SearchDocument, SearchWords

    indexer = INDEXERS[label]
    # In the rows' order, so that the documents' keys (the sitemap's order within a section) follow it on a
    # full reindex, whatever order the table's pages hold the rows in. A row changed later is indexed again
    # under new keys, so the sitemap lists the rows changed last at the end of their section.
    rows = indexer.queryset().order_by("pk")
    if pks is not None:
        pks = list(pks)
        rows = rows.filter(pk__in=pks)
    documents = []
    built = set()
    content_types = {}
    for obj in rows:
        built.add(obj.pk)
        for doc in indexer.build(obj):
            model = type(doc.obj)
            if model not in content_types:
                content_types[model] = ContentType.objects.get_for_model(model)
            documents.append(_document(doc, source=source_key(label, obj.pk), content_type=content_types[model]))
    with transaction.atomic():
        stale = SearchDocument.objects.all()
        if pks is not None:
            stale = stale.filter(source__in=[source_key(label, pk) for pk in pks])
        else:
            stale = stale.filter(source__startswith=f"{label}:")
        stale.delete()  # their words too (SearchWords, on delete cascade)
        SearchDocument.objects.bulk_create(documents, batch_size=500)
        if connection.vendor == "postgresql":  # where bulk_create gives the documents their keys
            SearchWords.objects.bulk_create([_words(document) for document in documents], batch_size=500)
    return len(documents)


def _words(document):
    from .models import SearchWords

    return SearchWords(
        document_id=document.pk,
        kind=document.kind,
        is_public=document.is_public,
        object_id=document.object_id,
        vector=document.vector,
        title_vector=document.title_vector,
        regions=document.regions,
    )


def reindex_all() -> int:
    return sum(reindex(label) for label in INDEXERS)


def _as_datetime(value):
    if value is None or isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time(12, 0)))


def _document(doc: Doc, *, source: str, content_type):
    from .models import SearchDocument

    title = (doc.title or "")[:300]
    regions = sorted({slug for slug in doc.regions if slug})
    terms = terms_of(title, doc.subtitle, doc.text, doc.extra_terms)
    title_terms = terms_of(title)
    postgresql = connection.vendor == "postgresql"
    return SearchDocument(
        content_type=content_type,
        object_id=doc.obj.pk,
        source=source,
        kind=doc.kind,
        title=title,
        subtitle=(doc.subtitle or "")[:300],
        text=doc.text or "",
        url_name=doc.url_name,
        url_kwargs=doc.url_kwargs,
        url_suffix=doc.url_suffix[:300],
        regions=f" {' '.join(regions)} " if regions else "",
        title_terms=title_terms,
        title_norm=fold(title)[:300],
        terms=terms,
        vector=terms if postgresql else "",
        title_vector=title_terms if postgresql else "",
        is_public=doc.is_public,
        date=_as_datetime(doc.date),
    )


def reindex_when_empty(sender, **kwargs):
    """After migrate: build the index of a database that has content but no index yet."""
    from .models import SearchDocument

    if kwargs.get("using", "default") != "default" or not INDEXERS:
        return
    try:
        if SearchDocument.objects.exists():
            return
    except Exception:  # noqa: BLE001 - the table may not exist yet while an older migration runs
        return
    reindex_all()


post_migrate.connect(reindex_when_empty, dispatch_uid="alliance.search.reindex_when_empty")


# --- Querying --------------------------------------------------------------------------------


@dataclass
class ParsedQuery:
    text: str
    words: list[str]  # normalized
    prefix_last: bool

    def __bool__(self):
        return bool(self.words)


def parse(raw: str) -> ParsedQuery:
    text = clean_query(raw)
    raw_words = [word for word in _WORD_RE.findall(fold(text)) if _is_search_word(word)]
    words = list(dict.fromkeys(stem(w) for w in raw_words))[:MAX_QUERY_WORDS]
    # The last word also matches as the beginning of a longer one ("coop" → "cooperativa").
    prefix_last = bool(raw_words) and len(raw_words[-1]) >= 3
    return ParsedQuery(text=text, words=words, prefix_last=prefix_last)


def _word_condition(column: str, word: str, prefix: bool) -> Q:
    condition = Q(**{f"{column}__contains": f" {word} "})
    if prefix:
        condition |= Q(**{f"{column}__contains": f" {word}"})
    return condition


class _MatchesTsquery(Lookup):
    """A stored tsvector matched against a 'simple' tsquery: PostgreSQL only."""

    lookup_name = "matches_tsquery"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        sql = f"{lhs} @@ to_tsquery('simple'::regconfig, {rhs})"
        return sql, [*lhs_params, *rhs_params]


_lookup_registered = False


def _register_lookup():
    global _lookup_registered
    if not _lookup_registered:
        from .models import TermsVectorField

        TermsVectorField.register_lookup(_MatchesTsquery)
        _lookup_registered = True


def _tsquery(query: ParsedQuery) -> str:
    """The same question for PostgreSQL's full-text machinery: every word is one 'simple' lexeme."""
    last = len(query.words) - 1
    return " & ".join(
        f"{word}:*" if query.prefix_last and position == last else word for position, word in enumerate(query.words)
    )


def _words_in(column: str, query: ParsedQuery) -> Q:
    """Every word of the query in `column` ("terms" or "title_terms"), as whole words (the last
    one also as the beginning of a word): the tsvector beside it on PostgreSQL, LIKE elsewhere."""
    if connection.vendor == "postgresql":
        # Served by the GIN indexes on the stored vectors (migrations 0008, 0011 and 0012).
        _register_lookup()
        vector = "vector" if column == "terms" else "title_vector"
        return Q(**{f"{vector}__matches_tsquery": _tsquery(query)})
    last = len(query.words) - 1
    condition = Q()
    for position, word in enumerate(query.words):
        condition &= _word_condition(column, word, query.prefix_last and position == last)
    return condition


def in_title(query: ParsedQuery) -> Q:
    """Every word of the query in the title: the first key of the order of the results."""
    return _words_in("title_terms", query)


def matching(query: ParsedQuery, *, region: str = "", kind: str = ""):
    """Public documents with every word of the query (or all of a region's when there is none)."""
    from .models import SearchDocument

    return _narrowed(SearchDocument.objects.filter(is_public=True), query, region=region, kind=kind)


def _narrowed(rows, query: ParsedQuery, *, region: str, kind: str):
    """`rows` (documents, or their SearchWords) with every word of the query, in the region, of the kind."""
    if query.words:
        rows = rows.filter(_words_in("terms", query))
    if region:
        rows = rows.filter(regions__contains=f" {region} ")
    if kind:
        rows = rows.filter(kind=kind)
    return rows


def _found(query: ParsedQuery, *, region: str = "", kind: str = ""):
    """What `matching` finds, for counting it or asking whether an object is in it: the narrow
    SearchWords on PostgreSQL (every match is read), the documents elsewhere. Rows with `kind`,
    `object_id`, `title_vector` (PostgreSQL) and `pk` (the document's)."""
    from .models import SearchWords

    if connection.vendor != "postgresql":
        return matching(query, region=region, kind=kind)
    return _narrowed(SearchWords.objects.filter(is_public=True), query, region=region, kind=kind)


# The order of the results of one kind: the documents with every word in their title first, then
# the others; in each of these two runs the newest first, then by title and key.
NEWEST_FIRST = (F("date").desc(nulls_last=True), F("title").asc(), F("pk").asc())


def _title_rank(query: ParsedQuery):
    if not query.words:
        return Value(0, output_field=IntegerField())
    return Case(When(in_title(query), then=Value(0)), default=Value(1), output_field=IntegerField())


def ranked(documents, query: ParsedQuery):
    """Title matches first, then the newest."""
    return documents.annotate(title_rank=_title_rank(query)).order_by("title_rank", *NEWEST_FIRST)


def count_runs(documents, query: ParsedQuery) -> dict[str, tuple[int, int]]:
    """{kind: (documents found, of which with every word in the title)}: one pass over the matches,
    which also tells how long each kind's two runs are (see `_slice`)."""
    title = Count("pk", filter=in_title(query)) if query.words else Count("pk")
    rows = documents.order_by().values_list("kind").annotate(found=Count("pk"), titled=title)
    return {kind: (found, titled) for kind, found, titled in rows}


# A run at least this long, of which a page needs at most half, is read in the order of the
# index `searchdoc_public_order_idx` (kind, newest first, title, key): PostgreSQL stops after the
# rows the page shows, about (page end × documents of the kind ÷ run length) index entries, at
# most 5 × 10,000 ÷ 200 = 250 for a section of the grouped results. A shorter run is found
# through the GIN indexes and sorted whole, which costs its length: the planner, which does not
# know that a word is rare among one kind's documents, is not left to walk the index for it.
WALK_FROM = 200


def walks(length: int, stop: int) -> bool:
    """Whether rows [.., stop) of a run `length` long are read in the order index (see WALK_FROM)."""
    return length >= max(WALK_FROM, 2 * stop)


# What a result shows (includes/search_hit.html) and is ordered by: not the words, which are most of a row.
SHOWN = ("kind", "title", "subtitle", "text", "url_name", "url_kwargs", "url_suffix", "date")


def _slice(documents, query: ParsedQuery, kind: str, *, titled: bool, length: int, start: int, stop: int):
    """Rows [start, stop) of one run of one kind (`length` documents long), with `title_rank`."""
    run = documents.filter(kind=kind).only(*SHOWN)
    if query.words:
        run = run.filter(in_title(query)) if titled else run.exclude(in_title(query))
    if not query.words or walks(length, stop):
        run = run.annotate(title_rank=Value(0 if titled else 1, output_field=IntegerField())).order_by(*NEWEST_FIRST)
    else:
        # The rank is the same for the whole run, but the index cannot give an order that
        # starts with it: the run's matches are found, then sorted.
        run = ranked(run, query)
    return run[start:stop]


def _page_of_kind(documents, query: ParsedQuery, kind: str, runs, start: int, stop: int) -> list:
    """The slices of the two runs of `kind` that make its rows [start, stop)."""
    found, titled = runs[kind]
    stop = min(stop, found)
    pieces = []  # (title run?, its length, start, stop) in each run
    if start < titled:
        pieces.append((True, titled, start, min(stop, titled)))
    if stop > titled:
        pieces.append((False, found - titled, max(0, start - titled), stop - titled))
    if query.words and not any(walks(length, end) for _titled, length, _start, end in pieces):
        # Neither run is walked: the kind's matches sorted at once, in one slice.
        return [ranked(documents.filter(kind=kind).only(*SHOWN), query)[start:stop]]
    return [
        _slice(documents, query, kind, titled=in_title_run, length=length, start=first, stop=end)
        for in_title_run, length, first, end in pieces
    ]


def _fetch_slices(slices) -> list:
    """The documents of every slice in one query, by kind and then in the order of the results."""
    if not slices:
        return []
    first, *rest = slices
    order = ("kind", "title_rank", *NEWEST_FIRST)
    if not rest:
        return list(first if first.query.is_sliced else first.order_by(*order))
    return list(first.union(*rest, all=True).order_by(*order))


def best_of_each_kind(documents, query: ParsedQuery, per_kind: int, runs=None):
    """The best `per_kind` documents of every kind, by kind.

    PostgreSQL: one query, a union of at most two short slices per kind (`_page_of_kind`), so
    that a word found in most documents costs a few rows per kind, not a sort of all of them.
    Elsewhere: their keys in one query (a window function over narrow rows), then the documents.
    """
    from .models import SearchDocument

    if connection.vendor == "postgresql" and runs is not None:
        # The kinds with no more documents than a section shows, all in one slice.
        whole = [kind for kind, (found, _titled) in runs.items() if found <= per_kind]
        slices = [ranked(documents.filter(kind__in=whole).only(*SHOWN), query).order_by()] if whole else []
        for kind in runs:
            if kind not in whole:
                slices += _page_of_kind(documents, query, kind, runs, 0, per_kind)
        return _fetch_slices(slices)
    ordered = ranked(documents, query)
    best = list(
        ordered.annotate(
            row=Window(RowNumber(), partition_by=[F("kind")], order_by=[F("title_rank").asc(), *NEWEST_FIRST])
        )
        .filter(row__lte=per_kind)
        .values_list("pk", "title_rank", "row")
    )
    found = SearchDocument.objects.in_bulk([pk for pk, _rank, _row in best])
    result = []
    for pk, title_rank, row in best:
        document = found[pk]
        document.title_rank, document.row = title_rank, row
        result.append(document)
    return sorted(result, key=lambda document: (document.kind, document.row))


class _RankedKind:
    """One kind's results for the Paginator: its length is known already (the count by kind),
    and a page is fetched in one query."""

    def __init__(self, documents, query: ParsedQuery, kind: str, runs):
        self.documents, self.query, self.kind, self.runs = documents, query, kind, runs

    def __len__(self):
        return self.runs.get(self.kind, (0, 0))[0]

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step is not None:
            raise TypeError("a page of results is a slice")
        start, stop = item.start or 0, item.stop if item.stop is not None else len(self)
        if not len(self) or start >= stop:
            return []
        if connection.vendor == "postgresql":
            return _fetch_slices(_page_of_kind(self.documents, self.query, self.kind, self.runs, start, stop))
        return list(ranked(self.documents.filter(kind=self.kind), self.query)[start:stop])


def similar_titles(query: ParsedQuery, *, limit: int = 5):
    """Names close to a mistyped query (PostgreSQL's trigram word similarity); none elsewhere."""
    from .models import SearchDocument

    if connection.vendor != "postgresql" or not query.text:
        return []
    folded = fold(query.text)
    return list(
        SearchDocument.objects.filter(is_public=True)
        .extra(where=["%s <%% title_norm"], params=[folded])  # served by the title trigram index
        .extra(select={"similarity": "word_similarity(%s, title_norm)"}, select_params=[folded])
        .order_by("-similarity", "title")[:limit]
    )


@dataclass
class Results:
    query: ParsedQuery
    region: str
    kind: str
    counts: dict  # kind → number of documents
    sections: list  # [{"kind": Kind, "count": n, "documents": [...]}] without a kind filter
    page_obj: object = None  # with a kind filter
    suggestions: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def search(raw: str, *, region: str = "", kind: str = "", page=1, per_kind: int = 5, per_page: int = 20) -> Results:
    """Results grouped by kind (`per_kind` each), or one kind paginated: two queries (three on
    SQLite), and one more for suggestions when nothing is found."""
    from django.core.paginator import Paginator

    query = parse(raw)
    kind = kind if kind in KINDS else ""
    if not query and not region:
        return Results(query=query, region=region, kind=kind, counts={}, sections=[])
    everything = matching(query, region=region)
    runs = {code: run for code, run in count_runs(_found(query, region=region), query).items() if code in KINDS}
    counts = {code: found for code, (found, _titled) in runs.items()}
    results = Results(query=query, region=region, kind=kind, counts=counts, sections=[])
    if kind:
        paginator = Paginator(_RankedKind(everything, query, kind, runs), per_page)
        results.page_obj = paginator.get_page(page)
        results.page_obj.object_list = list(results.page_obj.object_list)
        _highlight_all(results.page_obj.object_list, query)
    elif counts:
        best = best_of_each_kind(everything, query, per_kind, runs)
        _highlight_all(best, query)
        by_kind = defaultdict(list)
        for document in best:
            by_kind[document.kind].append(document)
        sections = [{"kind": KINDS[code], "count": counts[code], "documents": by_kind[code]} for code in counts]
        # Kinds whose best result has every word in its title come first ("Costruire comunità": the pathway).
        sections.sort(key=lambda s: (s["documents"][0].title_rank if s["documents"] else 1, s["kind"].position))
        results.sections = sections
    if not counts and query:
        results.suggestions = similar_titles(query)
    return results


def filter_by_search(queryset, raw: str, *, kind: str, rank: bool = False):
    """`queryset` narrowed to the rows whose public document of `kind` matches `raw`: for the
    lists of the domains (directory, projects, events), so that they find what the search finds.

    With `rank`, each row also gets `search_rank`: true when every word is in its title (the
    search's own first criterion), for lists that sort by relevance (`-search_rank`, then their own order).
    Still one query for the list: both are subqueries, "found" on the narrow SearchWords (which
    PostgreSQL answers row by row from `searchwords_public_object_idx`, or for all rows from its
    GIN index), the rank on the documents' title index.
    """
    from .models import SearchDocument

    query = parse(raw)
    if not query:
        return queryset
    queryset = queryset.filter(pk__in=_found(query, kind=kind).values("object_id"))
    if rank:
        # Every word in the title means found (a document's terms hold its title's), so the rank
        # asks only the title's index: with the whole search too, a common word's
        # documents would be read again.
        titled = SearchDocument.objects.filter(in_title(query), is_public=True, kind=kind, object_id=OuterRef("pk"))
        queryset = queryset.annotate(search_rank=Exists(titled))
    return queryset


# --- Highlighting ----------------------------------------------------------------------------

SNIPPET_WORDS = 30


@lru_cache(maxsize=100_000)
def _form(word: str) -> str:
    """The search form of a word as written in a text; empty for a stop word."""
    folded = fold(word)
    return stem(folded) if _is_search_word(folded) else ""


def _matches(word: str, query: ParsedQuery) -> bool:
    form = _form(word)
    if not form:
        return False
    if form in query.words:
        return True
    return query.prefix_last and form.startswith(query.words[-1])


_TOKEN_RE = re.compile(r"([^\W_]+)")


def highlight(text: str, query: ParsedQuery) -> str:
    """`text` escaped, with the words that match the query in <mark>."""
    if not text:
        return ""
    if not query.words:
        return escape(text)
    parts = _TOKEN_RE.split(text)
    out, plain = [], []
    for index, part in enumerate(parts):
        if index % 2 and _matches(part, query):
            # The text between two matches escaped at once: a page of results has thousands of words.
            out.append(html.escape("".join(plain)))
            out.append(f"<mark>{html.escape(part)}</mark>")
            plain = []
        else:
            plain.append(part)
    out.append(html.escape("".join(plain)))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def snippet(text: str, query: ParsedQuery, words: int = SNIPPET_WORDS) -> str:
    """About `words` words of `text` around the first match, highlighted."""
    tokens = (text or "").split()
    if not tokens:
        return ""
    start = 0
    if query.words:
        for index, token in enumerate(tokens):
            if any(_matches(w, query) for w in _WORD_RE.findall(token)):
                start = max(0, index - words // 3)
                break
    chosen = tokens[start : start + words]
    result = highlight(" ".join(chosen), query)
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + words < len(tokens) else ""
    return mark_safe(escape(prefix) + result + escape(suffix))  # noqa: S308


def _highlight_all(documents, query: ParsedQuery):
    for document in documents:
        document.title_html = highlight(document.title, query)
        document.subtitle_html = highlight(document.subtitle, query)
        document.snippet_html = snippet(document.text, query)


# --- Places: the taxonomy is alliance's own ---------------------------------------------------


def _places_queryset():
    from .models import Region

    return Region.objects.prefetch_related("provinces")


def _build_places(region):
    from django.utils.http import urlencode

    yield Doc(
        obj=region,
        kind="place",
        title=region.name,
        subtitle=str(_("Region")),
        text=region.name_en if region.name_en and region.name_en != region.name else "",
        url_name="alliance:search",
        url_suffix="?" + urlencode({"region": region.slug}),
        regions=[region.slug],
        extra_terms="regione region",
    )
    for province in region.provinces.all():
        yield Doc(
            obj=province,
            kind="place",
            title=province.name,
            subtitle=f"{_('Province')} ({province.abbreviation}) · {region.name}",
            url_name="alliance:search",
            url_suffix="?" + urlencode({"q": province.name, "region": region.slug}),
            regions=[region.slug],
            extra_terms=f"{province.abbreviation} provincia province",
        )


def _register_places():
    from .models import Province, Region

    register_kind("place", _("Places"), 90)
    register(
        Indexer(
            model=Region,
            queryset=_places_queryset,
            build=_build_places,
            related={Province: lambda province: [province.region_id]},
        )
    )


def region_slugs(*groups) -> set[str]:
    """Slugs of regions, from regions and provinces (their region) in any mix of iterables."""
    slugs = set()
    for group in groups:
        for item in group or ():
            if item is None:
                continue
            region = getattr(item, "region", None)
            slugs.add(region.slug if region is not None else item.slug)
    return slugs


def labels(choices_value, *, enum) -> str:
    """The label of a choice in every language, for words a person may type in either."""
    from django.conf import settings
    from django.utils import translation

    words = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words.append(str(enum(choices_value).label))
    return " ".join(words)
