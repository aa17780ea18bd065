"""Places are never exceeded, also when many coordinators decide at the same moment (real threads, PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import translation

from initiatives import services
from initiatives.models import PathwayApplication, StageProgress
from initiatives.services import InitiativeError
from tests.factories.initiatives import PathwayApplicationFactory, PathwayFactory, StageFactory, status_log
from tests.factories.members import CoordinatorFactory

Status = PathwayApplication.Status
WORKERS = 10


def run_together(calls):
    """Run every call in its own thread, all released at once; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                return call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.django_db(transaction=True)
def test_ten_coordinators_admitting_at_once_fill_four_places_and_no_more():
    pathway = PathwayFactory(places=4)
    stages = [StageFactory(pathway=pathway), StageFactory(pathway=pathway)]
    applications = [PathwayApplicationFactory(pathway=pathway) for _ in range(WORKERS)]
    coordinators = [CoordinatorFactory() for _ in range(WORKERS)]

    outcomes = run_together(
        [
            (
                lambda application=application, coordinator=coordinator: services.decide_pathway_application(
                    application=application, actor=coordinator, status=Status.ADMITTED
                )
            )
            for application, coordinator in zip(applications, coordinators, strict=True)
        ]
    )

    admitted = [o for o in outcomes if isinstance(o, PathwayApplication)]
    refused = [o for o in outcomes if isinstance(o, InitiativeError)]
    assert (len(admitted), len(refused)) == (4, 6)
    assert {tuple(error.messages) for error in refused} == {
        ("All 4 places are taken: put the application on the waiting list, or free a place.",)
    }
    statuses = dict(PathwayApplication.objects.values_list("pk", "status"))
    assert sorted(statuses.values()) == [Status.ADMITTED] * 4 + [Status.SUBMITTED] * 6
    assert {pk for pk, status in statuses.items() if status == Status.ADMITTED} == {a.pk for a in admitted}
    assert sorted(StageProgress.objects.values_list("application", "stage")) == sorted(
        (application.pk, stage.pk) for application in admitted for stage in stages
    )
    # Only the admitted ones were logged and decided.
    for application in PathwayApplication.objects.filter(status=Status.SUBMITTED):
        assert [to for _from, to, _actor, _note in status_log(application)] == [Status.SUBMITTED]
        assert application.decided_at is None


@pytest.mark.django_db(transaction=True)
def test_one_application_admitted_twice_at_once_is_admitted_once():
    pathway = PathwayFactory(places=None)
    StageFactory(pathway=pathway)
    application = PathwayApplicationFactory(pathway=pathway)
    coordinators = [CoordinatorFactory() for _ in range(WORKERS)]

    outcomes = run_together(
        [
            (
                lambda coordinator=coordinator: services.decide_pathway_application(
                    application=application, actor=coordinator, status=Status.ADMITTED
                )
            )
            for coordinator in coordinators
        ]
    )

    assert sum(isinstance(o, PathwayApplication) for o in outcomes) == 1
    assert {tuple(o.messages) for o in outcomes if not isinstance(o, PathwayApplication)} == {
        ("This application is admitted and cannot be changed that way.",)
    }
    assert [to for _from, to, _actor, _note in status_log(application)] == [Status.SUBMITTED, Status.ADMITTED]
    assert StageProgress.objects.filter(application=application).count() == 1
