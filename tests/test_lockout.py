"""Sign-in lockout per account and per address, whichever identifier was typed: a username
and its mobile number share one count and one lock, an address has its own higher limit,
and a success clears only its own account's failures from its own address."""

import re

import pytest
from axes.models import AccessAttempt
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "linli-demo"
INSPECTOR_MOBILE = "13903520009"  # the demo's 孙浩 (inspector)
STREET_MOBILE = "13903520002"  # the demo's 王丽娟 (street)


def sign_in(login, password=PASSWORD, *, address="10.20.0.1", **headers):
    client = Client()
    response = client.post(
        LOGIN, {"username": login, "password": password}, REMOTE_ADDR=address, **headers
    )
    return response


def fail(login, times, *, address="10.20.0.1"):
    # The failure that reaches a limit is itself answered with the locked page.
    for _ in range(times):
        assert sign_in(login, "wrong", address=address).status_code in (200, 429)


def test_an_account_locked_by_its_username_refuses_its_mobile_number(demo):
    fail("inspector", 5)
    for login in (INSPECTOR_MOBILE, "+86 139 0352 0009", "inspector"):
        response = sign_in(login)
        assert response.status_code == 429, login
        assert "_auth_user_id" not in response.client.session
    # The refused mobile sign-ins cleared nothing: the username is still locked.
    assert sign_in("inspector").status_code == 429


def test_an_account_locked_by_its_mobile_number_refuses_its_username(demo):
    fail("139-0352-0009", 5)
    assert sign_in("inspector").status_code == 429


def test_an_account_is_locked_from_every_address(demo):
    fail("inspector", 3, address="10.20.0.1")
    fail(INSPECTOR_MOBILE, 2, address="10.20.0.2")
    assert sign_in("inspector", address="10.20.0.3").status_code == 429
    # Other accounts, from those addresses, are not locked.
    assert sign_in("street", address="10.20.0.1").status_code == 302


def test_a_success_for_another_account_clears_nothing_of_this_one(demo):
    fail("inspector", 4)
    assert sign_in(STREET_MOBILE).status_code == 302
    fail("inspector", 1)
    assert sign_in("inspector").status_code == 429
    assert sign_in(INSPECTOR_MOBILE).status_code == 429


def test_a_success_clears_its_own_failures_whichever_identifier_was_typed(demo):
    fail("inspector", 4)
    assert sign_in(INSPECTOR_MOBILE).status_code == 302
    fail("inspector", 4)
    assert sign_in("inspector").status_code == 302


@pytest.fixture
def address_limit(settings):
    settings.LINLI_LOGIN_ADDRESS_FAILURE_LIMIT = 12
    return 12


def test_unknown_identifiers_count_per_address(demo, address_limit):
    for n in range(address_limit - 1):
        assert sign_in(f"1390000{n:04d}", "wrong").status_code == 200
    # Below the address's limit no account is locked by them.
    assert sign_in("street").status_code == 302
    assert sign_in("nobody-at-all", "wrong").status_code == 429  # the address's last one
    assert sign_in("street").status_code == 429
    assert sign_in(STREET_MOBILE).status_code == 429
    assert sign_in("street", address="10.20.0.99").status_code == 302
    # What was typed is in axes' tables neither as a name nor in the recorded form data.
    stored = " ".join(
        f"{a.username} {a.post_data}" for a in AccessAttempt.objects.filter(ip_address="10.20.0.1")
    )
    assert "13900000000" not in stored and "nobody-at-all" not in stored


def test_successes_of_other_accounts_do_not_clear_the_address(demo, address_limit):
    for n in range(address_limit - 1):
        sign_in(f"unknown{n}", "wrong")
        if n % 4 == 0:
            assert sign_in(STREET_MOBILE).status_code == 302
    sign_in("unknown-last", "wrong")
    assert sign_in("secretary").status_code == 429


def _page(response) -> str:
    # The CSRF tokens of the page's forms differ from request to request.
    content = response.content.decode()
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", content)


def test_the_locked_answer_is_the_same_whichever_identifier_was_typed(demo, address_limit):
    fail("inspector", 5)
    by_username, by_mobile = sign_in("inspector"), sign_in(INSPECTOR_MOBILE)
    assert by_username.status_code == by_mobile.status_code == 429
    assert by_username["Retry-After"] == by_mobile["Retry-After"] == "900"
    assert _page(by_username) == _page(by_mobile)
    # A locked address answers the same page as a locked account.
    for n in range(address_limit):
        sign_in(f"unknown{n}", "wrong", address="10.20.0.5")
    assert _page(sign_in("street", address="10.20.0.5")) == _page(by_username)

    json_answers = [
        sign_in(login, HTTP_ACCEPT="application/json")
        for login in ("inspector", INSPECTOR_MOBILE, "+86 139 0352 0009")
    ]
    assert {r.status_code for r in json_answers} == {429}
    assert {r["Retry-After"] for r in json_answers} == {"900"}
    bodies = [r.json() for r in json_answers]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["code"] == "locked_out" and bodies[0]["detail"]
    assert "inspector" not in json_answers[0].content.decode()
