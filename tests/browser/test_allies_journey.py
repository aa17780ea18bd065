"""A new organization joins and is found in the directory, end to end in Chromium, with axe-core on every page."""

import re

import pytest
from playwright.sync_api import expect

from alliance.models import OutgoingEmail
from members.models import Ally
from tests.factories.members import PASSWORD, CoordinatorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^/\s]+(/\S*confirm-email/\S+/)")


def log_in(page, email):
    page.goto("/en/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/en/$"))


def test_an_organization_signs_up_applies_is_approved_and_appears_in_the_directory(
    browser, live_server, taxonomy, principles, page, assert_accessible
):
    CoordinatorFactory(email="coordinatrice@example.org", full_name="Giulia Ferri", preferred_language="en")

    # Sign up, in English.
    page.goto("/en/accounts/signup/")
    assert_accessible(page)
    page.get_by_label("Email").fill("anna@tessitura.example.org")
    page.get_by_label("Full name").fill("Anna Sartori")
    page.get_by_label("Preferred language").select_option("en")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    assert_accessible(page)

    # The verification e-mail went through the outbox; follow its link.
    verification = OutgoingEmail.objects.get(to="anna@tessitura.example.org")
    assert (verification.subject, verification.status) == ("Please Confirm Your Email Address", "sent")
    [path] = LINK.findall(verification.body_text)
    page.goto(path)
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("summary.account-menu__toggle")).to_contain_text("Anna")

    # Apply for an organization from the account area.
    page.locator("summary.account-menu__toggle").click()
    page.get_by_role("link", name="My area").click()
    assert_accessible(page)
    page.get_by_role("link", name="Join the alliance").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Apply for an organization").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply for an organization")
    page.get_by_label("Name of the organization").fill("Cooperativa La Tessitura")
    page.get_by_label("Legal form").select_option("cooperativa_sociale")
    page.get_by_label("Tax code or VAT number").fill("00743110157")
    page.get_by_label("In one sentence").fill("Laboratori di sartoria sociale per donne in cerca di lavoro.")
    page.get_by_label("Province of the seat").select_option(label="Bergamo (BG)")
    page.get_by_role("group", name="Regions served").get_by_label("Lombardy").check()
    page.get_by_role("group", name="Themes").get_by_label("Work inclusion and activation").check()
    page.locator("label[for=id_accept_principles]").click()  # Bootstrap Italia draws the box on the label
    expect(page.get_by_label("I have read the principles of the alliance and I accept them.")).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Send the application").click()
    expect(page).to_have_url(re.compile(r"/en/my-area/$"))
    expect(page.get_by_role("status").first).to_be_visible()
    expect(page.get_by_text("Cooperativa La Tessitura").first).to_be_visible()
    assert_accessible(page)
    ally = Ally.objects.get(name="Cooperativa La Tessitura")
    assert ally.approved_at is None

    # Not public yet.
    visitor = browser.new_context(base_url=live_server.url)
    anonymous = visitor.new_page()
    anonymous.goto("/en/allies/")
    expect(anonymous.get_by_role("link", name="Cooperativa La Tessitura")).to_have_count(0)

    # The coordinator approves it from the coordination area.
    coordination = browser.new_context(base_url=live_server.url)
    coordinator = coordination.new_page()
    log_in(coordinator, "coordinatrice@example.org")
    coordinator.goto("/en/coordination/")
    assert_accessible(coordinator)
    coordinator.get_by_role("link", name="Membership applications to review").click()
    assert_accessible(coordinator)
    coordinator.get_by_role("link", name="Cooperativa La Tessitura").click()
    expect(coordinator.get_by_text("00743110157")).to_be_visible()  # coordinators see the tax code
    assert_accessible(coordinator)
    coordinator.get_by_label("Approve").check()
    coordinator.get_by_role("button", name="Save the decision").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Membership applications to review")
    assert_accessible(coordinator)
    coordination.close()

    # A visitor finds it in the directory by region, and opens its page.
    anonymous.goto("/en/allies/")
    anonymous.get_by_label("Region served").select_option(label="Lombardy")
    anonymous.get_by_role("button", name="Show allies").click()
    expect(anonymous).to_have_url(re.compile(r"region=lombardia"))
    assert_accessible(anonymous)
    anonymous.get_by_role("link", name="Cooperativa La Tessitura").click()
    expect(anonymous.get_by_role("heading", level=1)).to_have_text("Cooperativa La Tessitura")
    expect(anonymous.get_by_text("00743110157")).to_have_count(0)  # never public
    assert_accessible(anonymous)
    visitor.close()

    assert [(e.to, e.subject, e.status) for e in OutgoingEmail.objects.order_by("pk")] == [
        ("anna@tessitura.example.org", "Please Confirm Your Email Address", "sent"),
        ("anna@tessitura.example.org", "We received your application for Cooperativa La Tessitura", "sent"),
        ("coordinatrice@example.org", "New membership application: Cooperativa La Tessitura", "sent"),
        ("anna@tessitura.example.org", "Welcome to the alliance: Cooperativa La Tessitura is now a member", "sent"),
    ]


def test_a_coordinator_suspends_reinstates_and_ends_a_membership_from_the_site(
    browser, live_server, taxonomy, principles, page, assert_accessible
):
    from django.utils import timezone

    from members.models import MembershipStatus
    from tests.factories.members import AllyManagerFactory, MemberOrganizationFactory, VerifiedUserFactory

    CoordinatorFactory(email="coordinatrice@example.org", full_name="Giulia Ferri", preferred_language="en")
    ally = MemberOrganizationFactory(name="Cooperativa Il Faro", slug="cooperativa-il-faro")
    owner = VerifiedUserFactory(email="olga@faro.example.org", full_name="Olga Ricci", preferred_language="en")
    AllyManagerFactory(ally=ally, user=owner, role="owner")

    # From the coordination area to the ally's membership page.
    log_in(page, "coordinatrice@example.org")
    page.goto("/en/coordination/")
    page.get_by_role("link", name="Allies and memberships").click()
    assert_accessible(page)
    page.get_by_role("link", name="Cooperativa Il Faro").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Membership of Cooperativa Il Faro")
    assert_accessible(page)

    # Suspend, with a reason and an expected end.
    page.get_by_label("Reason of the suspension").fill("Quota 2026 non versata.")
    until = (timezone.localdate() + timezone.timedelta(days=60)).isoformat()
    page.get_by_label("Expected end of the suspension (optional)").fill(until)
    page.get_by_role("button", name="Suspend the membership").click()
    expect(page.get_by_text("is suspended; its managers were told by e-mail.")).to_be_visible()
    expect(page.get_by_text("Member → Suspended")).to_be_visible()
    assert_accessible(page)
    ally.refresh_from_db()
    assert (ally.membership_status, ally.suspended_until.isoformat()) == (MembershipStatus.SUSPENDED, until)

    # The owner reads why in their area.
    owner_context = browser.new_context(base_url=live_server.url)
    owner_page = owner_context.new_page()
    log_in(owner_page, "olga@faro.example.org")
    owner_page.goto("/en/my-area/")
    expect(owner_page.get_by_text("Quota 2026 non versata.")).to_be_visible()
    assert_accessible(owner_page)

    # Reinstate, then end: the ally leaves the directory.
    page.get_by_role("button", name="Reinstate the membership").click()
    expect(page.get_by_text("Suspended → Member")).to_be_visible()
    page.get_by_label("Why the membership ends").fill("Ha lasciato la rete.")
    page.locator("label[for=id_end-confirm]").click()  # Bootstrap Italia draws the box on the label
    page.get_by_role("button", name="End the membership", exact=True).click()
    expect(page.get_by_text("Member → Membership ended")).to_be_visible()
    assert_accessible(page)

    owner_page.goto("/en/allies/")
    expect(owner_page.get_by_role("link", name="Cooperativa Il Faro")).to_have_count(0)
    owner_context.close()

    # Its page, with its history, stays for the coordination.
    page.goto("/en/allies/cooperativa-il-faro/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cooperativa Il Faro")
    expect(page.get_by_text("Ha lasciato la rete.")).to_be_visible()
    assert_accessible(page)
    assert sorted((e.to, e.template) for e in OutgoingEmail.objects.all()) == [
        ("olga@faro.example.org", "membership_ended"),
        ("olga@faro.example.org", "membership_reinstated"),
        ("olga@faro.example.org", "membership_suspended"),
    ]
