"""What the API and the open-data files say about each public thing: public fields only.

Never: tax codes, contact details an ally did not make public, registrations, applications,
drafts. The querysets of `api.selectors` fetch everything these read in a constant number of queries.
"""

from operator import attrgetter

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from events.models import Event, Session, Speaker
from initiatives.models import Pathway, Project, Stage
from members.models import Ally


def _itself(instance):
    return instance


# DRF's ModelSerializer, each field read and written as DRF does it, with less of DRF's work per field.
# (A comment, not a docstring: drf-spectacular would put a docstring in the schema of every serializer
# below that has none of its own.)
#
# `Serializer.to_representation` looks every field's attribute up through `fields.get_attribute` (a
# Mapping or an object? a callable to call? a missing related object?) for every object: a page of 50
# events and their 120 sessions is 2,500 lookups, a quarter of the serialization (issue 13). Here each
# serializer plans its fields once: a column of the model is read with `attrgetter` (a column's value
# is never a callable, and a row always has it), a field of the object itself (`source="*"`) gets the
# object, any other field goes through the field's own `get_attribute`; every value is then written by
# the field's own `to_representation`, as in DRF.
class ModelSerializer(serializers.ModelSerializer):
    def to_representation(self, instance):
        if not isinstance(instance, models.Model):
            return super().to_representation(instance)
        plan = self.__dict__.get("_plan")
        if plan is None:
            plan = self._plan = self._plan_fields()
        result = {}
        for name, read, write, checked in plan:
            if checked:  # what DRF does for a field it reads through its get_attribute
                try:
                    value = read(instance)
                except SkipField:
                    continue
                if (value.pk if isinstance(value, PKOnlyObject) else value) is None:
                    result[name] = None
                    continue
            else:
                value = read(instance)
                if value is None:
                    result[name] = None
                    continue
            result[name] = write(value)
        return result

    def _plan_fields(self):
        columns = {field.attname for field in self.Meta.model._meta.concrete_fields}
        plan = []
        for field in self._readable_fields:
            source = field.source_attrs
            if type(field).get_attribute is not serializers.Field.get_attribute:
                # A field that reads its value its own way: DRF's path, as for a dotted source.
                plan.append((field.field_name, field.get_attribute, field.to_representation, True))
            elif not source:
                plan.append((field.field_name, _itself, field.to_representation, False))
            elif len(source) == 1 and source[0] in columns:
                plan.append((field.field_name, attrgetter(source[0]), field.to_representation, False))
            else:
                plan.append((field.field_name, field.get_attribute, field.to_representation, True))
        return plan


@extend_schema_field(OpenApiTypes.URI)
class AbsoluteURL(serializers.Field):
    """The object's page, absolute when the request (or, for files written without one, the
    `base_url` of the context) is known."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj):
        url = obj.get_absolute_url()
        request = self.context.get("request")
        if request:
            return request.build_absolute_uri(url)
        base = self.context.get("base_url")
        return base.rstrip("/") + url if base else url


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class Slugs(serializers.Field):
    """Slugs of a prefetched many-to-many relation (its manager, or the list of a `to_attr` prefetch)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, related):
        return [item.slug for item in (related if isinstance(related, list) else related.all())]


class AllyRef(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


def approved_refs(allies) -> list[dict]:
    return [{"slug": ally.slug, "name": ally.name} for ally in allies if ally.is_public]


class AllySerializer(ModelSerializer):
    url = AbsoluteURL()
    province = serializers.SerializerMethodField()
    regions = Slugs()
    themes = Slugs()
    verified = serializers.SerializerMethodField()
    member_since = serializers.DateTimeField(source="approved_at")
    email = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Ally
        fields = [
            "slug",
            "name",
            "kind",
            "legal_form",
            "summary",
            "description",
            "website",
            "city",
            "province",
            "regions",
            "themes",
            "is_supporter",
            "verified",
            "member_since",
            "email",
            "phone",
            "url",
        ]

    def get_province(self, ally) -> str | None:
        return ally.province.abbreviation if ally.province else None

    def get_verified(self, ally) -> bool:
        return ally.verified_at is not None

    def get_email(self, ally) -> str | None:
        return ally.contact_email if ally.contact_email_public and ally.contact_email else None

    def get_phone(self, ally) -> str | None:
        return ally.phone if ally.phone_public and ally.phone else None


class ProjectPartnerSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()


class ExternalPartnerSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()


class ProjectSerializer(ModelSerializer):
    url = AbsoluteURL()
    regions = Slugs()
    themes = Slugs()
    provinces = serializers.SerializerMethodField()
    lead_ally = serializers.SerializerMethodField()
    partners = serializers.SerializerMethodField()
    external_partners = serializers.SerializerMethodField()
    objectives = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "slug",
            "title",
            "summary",
            "description",
            "status",
            "scope",
            "start_date",
            "end_date",
            "municipalities",
            "regions",
            "provinces",
            "themes",
            "lead_ally",
            "partners",
            "external_partners",
            "objectives",
            "results",
            "published_at",
            "url",
        ]

    def get_provinces(self, project) -> list[str]:
        return [p.abbreviation for p in project.provinces.all()]

    @extend_schema_field(AllyRef(allow_null=True))
    def get_lead_ally(self, project):
        ally = project.lead_ally
        return {"slug": ally.slug, "name": ally.name} if ally.is_public else None

    def get_partners(self, project) -> ProjectPartnerSerializer(many=True):
        return [
            {"slug": p.ally.slug, "name": p.ally.name, "role": p.role}
            for p in project.partners.all()
            if p.ally.is_public
        ]

    def get_external_partners(self, project) -> ExternalPartnerSerializer(many=True):
        return [{"name": e.name, "kind": e.kind} for e in project.external_partners.all()]

    def get_objectives(self, project) -> list[str]:
        return [o.text for o in project.objectives.all()]


class SpeakerSerializer(ModelSerializer):
    ally = serializers.SerializerMethodField()

    class Meta:
        model = Speaker
        fields = ["name", "role", "affiliation", "bio", "to_be_confirmed", "ally"]

    @extend_schema_field(AllyRef(allow_null=True))
    def get_ally(self, speaker):
        ally = speaker.ally
        return {"slug": ally.slug, "name": ally.name} if ally and ally.is_public else None


class SessionSerializer(ModelSerializer):
    speakers = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = ["day", "start_time", "end_time", "title", "kind", "room", "description", "capacity", "speakers"]

    def get_speakers(self, session) -> list[str]:
        return [s.name for s in session.speaker_list]


class EventSerializer(ModelSerializer):
    """An event from `selectors.public_events()`, which prefetches its relations into lists."""

    url = AbsoluteURL()
    themes = Slugs(source="theme_list")
    region = serializers.SerializerMethodField()
    province = serializers.SerializerMethodField()
    organizers = serializers.SerializerMethodField()
    sessions = SessionSerializer(many=True, read_only=True, source="session_list")
    speakers = SpeakerSerializer(many=True, read_only=True, source="speaker_list")
    project = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "slug",
            "title",
            "kind",
            "status",
            "summary",
            "description",
            "start",
            "end",
            "venue_name",
            "address",
            "city",
            "province",
            "region",
            "online_url",
            "language",
            "step_free_access",
            "interpretation",
            "accessibility_notes",
            "registration_policy",
            "registration_opens_at",
            "registration_closes_at",
            "capacity",
            "themes",
            "organizers",
            "project",
            "sessions",
            "speakers",
            "url",
        ]

    def get_region(self, event) -> str | None:
        region = event.region or (event.province.region if event.province else None)
        return region.slug if region else None

    def get_province(self, event) -> str | None:
        return event.province.abbreviation if event.province else None

    def get_organizers(self, event) -> AllyRef(many=True):
        return approved_refs(event.organizer_list)

    def get_project(self, event) -> str | None:
        project = event.project
        return project.slug if project and project.publication == Project.Publication.PUBLISHED else None


class StageSerializer(ModelSerializer):
    class Meta:
        model = Stage
        fields = ["position", "kind", "title", "description", "start_date", "end_date"]


class PathwaySerializer(ModelSerializer):
    url = AbsoluteURL()
    themes = Slugs()
    regions = Slugs()
    organizers = serializers.SerializerMethodField()
    stages = StageSerializer(many=True, read_only=True)
    objectives = serializers.SerializerMethodField()

    class Meta:
        model = Pathway
        fields = [
            "slug",
            "title",
            "purpose",
            "eligibility",
            "status",
            "applications_open_at",
            "applications_close_at",
            "places",
            "themes",
            "regions",
            "organizers",
            "objectives",
            "stages",
            "url",
        ]

    def get_organizers(self, pathway) -> AllyRef(many=True):
        return approved_refs(pathway.organizers.all())

    def get_objectives(self, pathway) -> list[str]:
        return [o.text for o in pathway.objectives.all()]
