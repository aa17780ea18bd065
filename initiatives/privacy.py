"""What projects and pathways store about a person: in their data download, and forgotten with their account."""

from django.db.models import Q

from .models import PathwayApplication, ProgressUpdate, StageProgress


def _applications_of(user):
    return PathwayApplication.objects.filter(Q(applicant=user) | Q(contact_email__iexact=user.email))


def export_personal_data(user) -> dict:
    applications = _applications_of(user).select_related("pathway", "ally")
    reports = StageProgress.objects.filter(application__in=applications).exclude(report="").select_related("stage")
    return {
        "pathway_applications": [
            {
                "pathway": a.pathway.title,
                "ally": a.ally.name,
                "status": a.status,
                "motivation": a.motivation,
                "contact_name": a.contact_name,
                "contact_email": a.contact_email,
                "contact_phone": a.contact_phone,
                "submitted_at": a.created_at,
                "decision_reason": a.decision_reason,
            }
            for a in applications
        ],
        "stage_reports": [
            {"stage": p.stage.title, "report": p.report, "submitted_at": p.report_submitted_at} for p in reports
        ],
        "project_updates_written": [
            {"project": u.project.title, "date": u.date, "text": u.text}
            for u in ProgressUpdate.objects.filter(created_by=user).select_related("project")
        ],
    }


def forget_person(user) -> int:
    """Applications belong to the organizations; the person's contact details on them go."""
    return (
        _applications_of(user)
        .filter(contact_email__iexact=user.email)
        .update(contact_name="", contact_email="deleted@invalid.example", contact_phone="")
    )
