"""The picker of several allies (initiatives.forms.allies.AllyPickerField): what it accepts and refuses."""

import pytest
from django import forms
from django.http import QueryDict

from initiatives.forms.allies import AllyPickerField
from members.models import Ally
from tests.factories.members import MemberOrganizationFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


class PickerForm(forms.Form):
    allies = AllyPickerField(queryset=Ally.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allies"].queryset = Ally.objects.members()


def bound(**values):
    data = QueryDict(mutable=True)
    for key, value in values.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    return PickerForm(data)


@pytest.fixture
def allies():
    return [
        MemberOrganizationFactory(name=name)
        for name in ("Associazione Rete Giovani", "Associazione Rete Anziani", "Cooperativa Il Melograno")
    ]


def test_ticked_allies_and_one_name_typed_are_chosen_in_name_order(allies):
    form = bound(allies=[str(allies[2].pk)], allies_search="rete giovani")
    assert form.is_valid(), form.errors
    assert [a.name for a in form.cleaned_data["allies"]] == ["Associazione Rete Giovani", "Cooperativa Il Melograno"]


@pytest.mark.parametrize("text, code", [("Rete", "several"), ("Nessuno", "none")])
def test_a_name_matching_several_or_none_is_refused(allies, text, code):
    form = bound(allies_search=text)
    assert not form.is_valid()
    assert form.errors.as_data()["allies"][0].code == code


def test_an_ally_outside_the_queryset_is_refused(allies):
    applicant = OrganizationFactory()  # not a member: not in the queryset
    form = bound(allies=[str(allies[0].pk), str(applicant.pk)])
    assert not form.is_valid()
    assert form.errors.as_data()["allies"][0].code == "gone"
    assert not bound(allies=["abc"]).is_valid()


def test_the_matches_of_a_search_come_back_as_checkboxes_not_ticked(allies):
    form = bound(allies=[str(allies[0].pk)], allies_search="rete", ally_search="allies")
    html = str(form["allies"])
    assert f'value="{allies[0].pk}" id="id_allies_{allies[0].pk}" checked' in html
    assert f'value="{allies[1].pk}" id="id_allies_{allies[1].pk}">' in html  # the other match, to tick
    assert "Cooperativa Il Melograno" not in html
    assert 'name="allies_search" id="id_allies_search" value=""' in html  # the text became the results


def test_a_typed_project_title_is_kept_as_typed_when_the_page_comes_back():
    from initiatives.forms.allies import ProjectTitleField
    from initiatives.models import Project

    field = ProjectTitleField(queryset=Project.objects.none())
    assert field.prepare_value("Cooperiamo") == "Cooperiamo"  # not str.title
    assert field.prepare_value("") == ""
