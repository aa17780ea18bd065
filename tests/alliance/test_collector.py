"""The web process's garbage collection between requests (alliance/collector.py, issue 13)."""

import gc
import weakref

import pytest

from alliance import collector


class FakeGC:
    """The counts the collector reads, and the collections and freezes it asks for."""

    def __init__(self, counts):
        self.counts = counts
        self.calls = []

    def get_count(self):
        return self.counts

    def collect(self, generation):
        self.calls.append(("collect", generation))

    def freeze(self):
        self.calls.append(("freeze",))


@pytest.fixture
def fake_gc(monkeypatch):
    monkeypatch.setattr(collector, "_warmed_up", False)

    def make(counts):
        fake = FakeGC(counts)
        monkeypatch.setattr(collector, "gc", fake)
        return fake

    return make


@pytest.mark.parametrize(
    ("counts", "generation"),
    [((3000, 0, 0), 0), ((5, 9, 9), 0), ((3000, 10, 0), 1), ((0, 10, 9), 1), ((3000, 4, 10), 2)],
)
def test_each_request_starts_with_a_collection_of_the_generation_due(fake_gc, counts, generation):
    fake = fake_gc(counts)
    collector.collect_between_requests()
    assert fake.calls[0] == ("collect", generation)


def test_the_first_full_collection_freezes_what_the_first_requests_loaded_and_only_the_first(fake_gc):
    fake = fake_gc((0, 0, 10))
    collector.collect_between_requests()
    collector.collect_between_requests()
    assert fake.calls == [("collect", 2), ("freeze",), ("collect", 2)]


def test_a_collection_between_requests_frees_what_the_last_request_left_in_cycles(monkeypatch):
    """The real collector: objects in reference cycles, as model instances and their caches are, do not
    outlive the next request's start."""
    monkeypatch.setattr(collector, "_warmed_up", True)  # never freeze the test process

    class Node:
        pass

    gc.disable()  # no automatic collection may move the cycle to an older generation meanwhile
    try:
        first, second = Node(), Node()
        first.other, second.other = second, first  # a cycle: counting references alone never frees it
        left = weakref.ref(first)
        del first, second
        collector.collect_between_requests()
    finally:
        gc.enable()
    assert left() is None


def test_with_threads_a_request_collects_only_when_no_other_is_being_answered(fake_gc, monkeypatch):
    """gunicorn's threads: a collection while another request is answered would walk, age and (the first
    full one) freeze what that request is building."""
    monkeypatch.setattr(collector, "_in_flight", 0)
    fake = fake_gc((10, 0, 0))
    collector.request_begins()  # A, alone: collects
    collector.request_begins()  # B, while A is answered: does not
    collector.request_ends()  # A ends
    collector.request_begins()  # C, while B is answered: does not
    collector.request_ends()
    collector.request_ends()  # B and C end
    collector.request_begins()  # D, alone: collects
    assert fake.calls == [("collect", 0), ("collect", 0)]
