"""When the web process collects its cyclic garbage: between two requests, not in the middle of one.

CPython collects when the objects made since the last collection pass a threshold (700): every public
page passes it a few times, so collections ran in the middle of requests, and every few dozen requests
one of them was a full collection, which walks everything alive at that moment, the page being built
included. At scale that was the events API's tail (issue 13): 15 to 35 ms added to one request in 25,
on a p50 of 26 ms.

Here the process collects when a request comes in (`request_started`, before Django reads it): the
young generation, what the previous request left in reference cycles (model instances and their
caches) — not when that request finishes, as its response, still alive then, would survive into an
older generation and be walked again. The middle generation every tenth time, everything every
hundredth, as CPython's own thresholds do; and the automatic collection stays, with a threshold no
page reaches (the events API leaves about 4,000 objects), for a request that makes very many more.
What was loaded at start is frozen (alliance.wsgi), and what the first hundred requests loaded
(templates, catalogues, caches) is frozen after the first full collection, so that full collections
walk only what requests made since. The collection still delays the request that comes in; what it
saves is the walk over a request's own objects. A process that answers several requests at once (threads)
collects only when a request comes in while no other is being answered (`request_begins`).
"""

import gc
import threading

from django.core.signals import request_finished, request_started

AUTOMATIC_THRESHOLD = 20_000
OLDER_EVERY = 10  # collections of a generation between two of the next older one, as CPython's

_warmed_up = False
_in_flight = 0  # requests the process is answering (gunicorn's threads: more than one at a time)
_lock = threading.Lock()


def collect_between_requests() -> None:
    global _warmed_up
    _young, middle_due, old_due = gc.get_count()
    if old_due >= OLDER_EVERY:
        gc.collect(2)
        if not _warmed_up:
            # What survives the first full collection after the first requests lives as long as the
            # process (compiled templates, translation catalogues, caches): out of every later walk.
            gc.freeze()
            _warmed_up = True
    elif middle_due >= OLDER_EVERY:
        gc.collect(1)
    else:
        gc.collect(0)


def request_begins(**kwargs) -> None:
    """A request comes in: collect if no other request is being answered. With threads, a collection
    while others answer would walk (and age, and at the first full one freeze for good) what they are
    building: then the automatic collection alone does the work, as without this module. Requests that
    come in meanwhile wait for the collection to end, as they would for the interpreter's lock."""
    global _in_flight
    with _lock:
        _in_flight += 1
        if _in_flight == 1:
            collect_between_requests()


def request_ends(**kwargs) -> None:
    global _in_flight
    with _lock:
        _in_flight = max(_in_flight - 1, 0)


def install() -> None:
    """For the web process (alliance.wsgi): freeze what is loaded, collect between requests."""
    gc.freeze()
    gc.set_threshold(AUTOMATIC_THRESHOLD, OLDER_EVERY, OLDER_EVERY)
    request_started.connect(request_begins, dispatch_uid="alliance.collector.begins")
    request_finished.connect(request_ends, dispatch_uid="alliance.collector.ends")
