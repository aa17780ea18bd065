"""The edges of the platform: Redis away, a proxy in front, rate limits, NUL bytes, caching, sessions,
passwords, CSV cells."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from alliance import ratelimit
from alliance.csv import safe_cell
from tests.conftest import free_port
from tests.factories.members import PASSWORD, VerifiedUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    """The cache points to a port where nothing listens, as when Redis is stopped."""
    settings.CACHES = {
        "default": {
            "BACKEND": "alliance.cache.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }


def login(client, email, password, *, forwarded_for=None, remote="10.0.0.1"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


# Redis away ---------------------------------------------------------------------------------


def test_sign_in_works_while_redis_is_away(client, redis_down):
    user = VerifiedUserFactory()

    wrong = login(client, user.email, "not-the-password")
    right = login(client, user.email, PASSWORD)

    assert wrong.status_code == 200
    assert (right.status_code, right["Location"]) == (302, reverse("alliance:home"))


def test_password_reset_works_while_redis_is_away(client, redis_down, django_capture_on_commit_callbacks):
    user = VerifiedUserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": user.email})

    assert response.status_code == 302
    from alliance.models import OutgoingEmail

    assert OutgoingEmail.objects.filter(to=user.email).exists()


def test_the_cache_answers_like_an_empty_one_while_redis_is_away(redis_down):
    from django.core.cache import cache

    assert cache.get("x", "default") == "default"
    assert cache.add("once", 1, timeout=60) is True  # "first time": a throttle lets the attempt through
    assert cache.set("x", 1) is None
    assert cache.incr("n") == 1
    assert cache.get_many(["a", "b"]) == {}
    assert cache.delete("x") is False


# Behind a proxy -----------------------------------------------------------------------------


def _locked_out(response) -> bool:
    """allauth answers a rate-limited sign-in with the form again and this error."""
    from allauth.account.adapter import DefaultAccountAdapter

    message = str(DefaultAccountAdapter.error_messages["too_many_login_attempts"])
    return response.status_code == 200 and any(message in str(e) for e in response.context["form"].non_field_errors())


def test_behind_a_trusted_proxy_ten_failed_logins_lock_out_only_their_own_client(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    victim = VerifiedUserFactory()
    attacker = VerifiedUserFactory()
    proxy = "10.0.0.1"  # every request arrives from the proxy

    for n in range(10):
        login(client, f"nobody{n}@example.org", "wrong-password", forwarded_for="203.0.113.7", remote=proxy)
    locked = login(client, attacker.email, PASSWORD, forwarded_for="203.0.113.7", remote=proxy)
    other = login(client, victim.email, PASSWORD, forwarded_for="198.51.100.20", remote=proxy)

    assert _locked_out(locked)  # even the right password, from the client that failed ten times
    assert (other.status_code, other["Location"]) == (302, reverse("alliance:home"))


def test_without_a_trusted_proxy_a_forged_header_changes_nothing(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    victim = VerifiedUserFactory()

    for n in range(10):
        login(client, f"nobody{n}@example.org", "wrong-password", forwarded_for=f"203.0.113.{n}")
    # Everyone is REMOTE_ADDR: the forged addresses did not spread the attempts over ten clients
    # (and behind a proxy without the setting, this is everyone locked out).
    blocked = login(client, victim.email, PASSWORD, forwarded_for="198.51.100.20")

    assert _locked_out(blocked)


def test_a_client_ip_header_set_by_the_proxy_can_be_trusted_instead(settings):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    request = RequestFactory().get(
        "/", HTTP_X_REAL_IP="198.51.100.9", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="10.0.0.1"
    )
    assert ratelimit.client_ip(request) == "198.51.100.9"


# The portal's own rate limits ---------------------------------------------------------------


def _request(forwarded_for="203.0.113.7", remote="10.0.0.1"):
    return RequestFactory().post("/", HTTP_X_FORWARDED_FOR=forwarded_for, REMOTE_ADDR=remote)


def test_guest_registrations_are_limited_per_client_address(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ALLEANZA_RATE_LIMITS = {"events.guest_registration": "3/h/ip,10/h/key"}

    results = [ratelimit.allow(_request(), "events.guest_registration", key=f"p{n}@example.org") for n in range(4)]
    other_client = ratelimit.allow(_request("198.51.100.20"), "events.guest_registration", key="q@example.org")

    assert results == [True, True, True, False]
    assert other_client is True


def test_and_per_address_whatever_the_client(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ALLEANZA_RATE_LIMITS = {"events.guest_registration": "100/h/ip,2/h/key"}

    results = [
        ratelimit.allow(_request(f"203.0.113.{n}"), "events.guest_registration", key="Same@Example.org ")
        for n in range(3)
    ]

    assert results == [True, True, False]
    assert ratelimit.allow(_request(), "events.guest_registration", key="other@example.org") is True


def test_a_new_window_starts_afresh(settings):
    settings.ALLEANZA_RATE_LIMITS = {"x": "1/m/ip"}
    assert ratelimit.allow(_request(), "x", now=1_000_000) is True
    assert ratelimit.allow(_request(), "x", now=1_000_010) is False
    assert ratelimit.allow(_request(), "x", now=1_000_080) is True


def test_ipv6_clients_count_per_network():
    request_a = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2::10")
    request_b = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:ffff::1")
    assert ratelimit.client_ip(request_a) == ratelimit.client_ip(request_b) == "2001:db8:1:2::"


def test_rate_limits_fail_open_when_the_cache_is_away(settings, redis_down):
    settings.ALLEANZA_RATE_LIMITS = {"x": "1/h/ip"}
    assert [ratelimit.allow(_request(), "x") for _ in range(5)] == [True] * 5


def test_rate_limits_fail_open_on_a_plain_redis_cache_too(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    settings.ALLEANZA_RATE_LIMITS = {"x": "1/h/ip"}
    assert [ratelimit.allow(_request(), "x") for _ in range(3)] == [True] * 3


def test_a_badly_written_rate_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        ratelimit.parse_rates("ten per hour")
    assert ratelimit.parse_rates("10/h/ip, 3/10m/key") == [
        ratelimit.Rate(10, 3600, "ip"),
        ratelimit.Rate(3, 600, "key"),
    ]


# NUL bytes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/registrations/abc%00def/",
        "/en/registrations/abc%00/confirm/",
        "/search/?q=caf%00e",
        "/en/search/?q=%00",
        "/search/?q=%2500",
        "/search/?region=%00&q=x",
    ],
)
def test_a_nul_byte_in_a_path_or_query_answers_400_not_500(client, url):
    response = client.get(url)
    assert response.status_code == 400


def test_a_token_path_with_a_nul_byte_answers_400_through_the_real_url(client):
    url = reverse("events:registration", kwargs={"token": "abc"}).replace("abc", "ab%00c")
    assert client.get(url).status_code == 400


# Caching of private pages, sessions ---------------------------------------------------------


def test_pages_for_a_signed_in_person_are_never_stored(client):
    client.force_login(VerifiedUserFactory())

    response = client.get(reverse("alliance:home"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_anonymous_public_pages_stay_cacheable_and_set_no_cookie(client):
    response = client.get(reverse("alliance:home"))

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert not response.cookies


def test_a_view_can_mark_its_page_personal():
    from django.http import HttpResponse

    from alliance.middleware import PrivateResponseMiddleware

    def view(request):
        response = HttpResponse("name, e-mail")
        response.personal_data = True
        return response

    request = RequestFactory().get("/")
    assert "no-store" in PrivateResponseMiddleware(view)(request)["Cache-Control"]


def _session(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key)


def test_a_session_in_use_is_renewed_every_few_minutes_not_on_every_request(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    assert (settings.SESSION_COOKIE_AGE, settings.SESSION_REFRESH_SECONDS) == (8 * 3600, 300)
    client.force_login(VerifiedUserFactory())

    fresh = client.get(reverse("alliance:home"))
    assert settings.SESSION_COOKIE_NAME not in fresh.cookies  # just signed in: nothing written

    # Ten minutes later (the session now expires in 7 h 50 min): the next request renews it.
    session = _session(client)
    session.expire_date = timezone.now() + timedelta(hours=8) - timedelta(minutes=10)
    session.save()
    renewed = client.get(reverse("alliance:home"))

    assert renewed.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 8 * 3600
    left = _session(client).expire_date - timezone.now()
    assert timedelta(hours=7, minutes=59) < left <= timedelta(hours=8)


def test_after_eight_idle_hours_the_session_is_over(client):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(VerifiedUserFactory())
    session = _session(client)
    session.expire_date = timezone.now() - timedelta(seconds=1)
    session.save()

    response = client.get(reverse("alliance:home"))

    assert not response.context["user"].is_authenticated


# Passwords, CSV ---------------------------------------------------------------------------------


def test_passwords_need_twelve_characters():
    with pytest.raises(ValidationError):
        validate_password("corto-2026x")  # 11
    validate_password("lunga-2026xy")  # 12
    validate_password("alleanza-demo")  # the demo accounts' password


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("x;=1+1;", "x;'=1+1;"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+39 333 1234567", "'+39 333 1234567"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a,=b", "a,'=b"),
        ("a; @b", "a; '@b"),
        ("x\n-1", "x\n'-1"),
        ("  =1", "  '=1"),
        ("Maria Rossi", "Maria Rossi"),
        ("e-mail: a-b@example.org", "e-mail: a-b@example.org"),
        (None, ""),
        (12, "12"),
    ],
)
def test_csv_cells_never_start_a_formula(value, expected):
    assert safe_cell(value) == expected


def test_registering_the_same_address_twice_works_while_redis_is_away(
    client, redis_down, django_capture_on_commit_callbacks
):
    from django.utils import translation

    from events.models import Registration
    from tests.factories.events import EventFactory

    event = EventFactory()
    with translation.override("en"):
        url = reverse("events:register", kwargs={"slug": event.slug})
    data = {"name": "Giulia Ferri", "email": "giulia@example.org", "privacy_consent": "on"}

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, data)
        second = client.post(url, data)  # "send the link again at most every ten minutes" uses the cache

    assert (first.status_code, second.status_code) == (302, 302)
    assert Registration.objects.filter(event=event).count() == 1
