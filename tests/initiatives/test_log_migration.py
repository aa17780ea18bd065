"""The data migration that moved the projects' and applications' own logs into the portal's one log."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("initiatives", "0002_random_upload_names")]
AFTER = [("initiatives", "0003_logs_into_the_portal_log")]


@pytest.fixture
def back_to_before_the_move(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_every_old_log_row_moves_into_the_portal_log_with_its_time_actor_and_note(back_to_before_the_move):
    # Only initiatives went back: the other apps' tables are as they are now.
    from tests.factories.members import MemberOrganizationFactory, VerifiedUserFactory

    executor = MigrationExecutor(connection)
    old = executor.loader.project_state(BEFORE).apps
    Project, Pathway = old.get_model("initiatives", "Project"), old.get_model("initiatives", "Pathway")
    Application = old.get_model("initiatives", "PathwayApplication")
    Objective, Stage = old.get_model("initiatives", "PathwayObjective"), old.get_model("initiatives", "Stage")
    actor = VerifiedUserFactory(email="coord@example.org")
    ally = MemberOrganizationFactory(name="Cooperativa Sole")
    project = Project.objects.create(title="Orti", slug="orti", summary="s", lead_ally_id=ally.pk)
    pathway = Pathway.objects.create(title="Costruire", slug="costruire", purpose="p")
    application = Application.objects.create(
        pathway=pathway,
        ally_id=ally.pk,
        motivation="m",
        contact_name="Anna",
        contact_email="anna@example.org",
        status="admitted",
    )
    at = datetime(2024, 5, 6, 7, 8, tzinfo=UTC)
    project_log = project.log.create(
        from_state="submitted", to_state="draft", actor_id=actor.pk, note="Aggiungete le date"
    )
    project.log.filter(pk=project_log.pk).update(at=at)
    application.log.create(from_status="", to_status="submitted")
    application.log.create(from_status="submitted", to_status="admitted", actor_id=actor.pk)
    Objective.objects.create(pathway=pathway, position=0, text="Primo")
    Objective.objects.create(pathway=pathway, position=1, text="Secondo")
    Stage.objects.create(pathway=pathway, position=0, title="Ascolto")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    LogEntry = new.get_model("alliance", "LogEntry")
    rows = list(
        LogEntry.objects.order_by("pk").values_list(
            "content_type__model", "object_id", "action", "actor_id", "data", "created_at"
        )
    )
    assert rows[0] == (
        "project",
        project.pk,
        "initiatives.project.publication.draft",
        actor.pk,
        {"field": "publication", "from": "submitted", "to": "draft", "note": "Aggiungete le date"},
        at,
    )
    assert [row[:5] for row in rows[1:]] == [
        (
            "pathwayapplication",
            application.pk,
            "initiatives.pathwayapplication.status.submitted",
            None,
            {"field": "status", "from": "", "to": "submitted"},
        ),
        (
            "pathwayapplication",
            application.pk,
            "initiatives.pathwayapplication.status.admitted",
            actor.pk,
            {"field": "status", "from": "submitted", "to": "admitted"},
        ),
    ]
    assert list(
        new.get_model("initiatives", "PathwayObjective").objects.order_by("position").values_list("position", "text")
    ) == [(1, "Primo"), (2, "Secondo")]
    assert list(new.get_model("initiatives", "Stage").objects.values_list("position", flat=True)) == [1]
