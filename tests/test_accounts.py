"""Signing in by username or mobile, throttling, signing out, password change, audit."""

import pytest
from django.urls import reverse

from linli.accounts.models import User
from linli.core.crypto import lookup_hash
from linli.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client, login, password="linli-demo"):
    return client.post(LOGIN, {"username": login, "password": password})


def test_sign_in_by_username(client, demo):
    response = sign_in(client, "street")
    assert response.status_code == 302
    assert response.url == reverse("core:home")
    home = client.get("/")
    assert "王丽娟" in home.content.decode()
    assert AuditEvent.objects.filter(action="account.login", actor__username="street").exists()


@pytest.mark.parametrize("login", ["13903520002", "+86 139 0352 0002", "139-0352-0002"])
def test_sign_in_by_mobile_number(client, demo, login):
    response = sign_in(client, login)
    assert response.status_code == 302
    assert client.get("/api/v1/me").json()["username"] == "street"


def test_wrong_password_is_refused_with_a_message_and_audited_without_the_number(client, demo):
    response = sign_in(client, "13903520002", "wrong")
    assert response.status_code == 200
    assert "do not match" in response.content.decode() or "不匹配" in response.content.decode()
    event = AuditEvent.objects.filter(action="account.login_failed").latest("id")
    assert event.details["login"] == "139****0002"


def test_repeated_failures_lock_the_login_even_with_the_right_password(client, demo):
    for _ in range(5):
        sign_in(client, "community", "wrong")
    response = sign_in(client, "community")
    assert response.status_code == 429
    assert client.get("/api/v1/me").status_code == 401
    # another account from the same address is not locked
    assert sign_in(client, "secretary").status_code == 302


def test_mobile_numbers_are_stored_encrypted_and_found_by_hash(demo):
    from django.db import connection

    user = demo.user("resident")
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile, mobile_hash FROM accounts_user WHERE id = %s", [user.pk])
        stored, stored_hash = cursor.fetchone()
    assert "13903520006" not in stored
    assert stored_hash == lookup_hash("13903520006")
    assert user.mobile == "13903520006"
    assert user.mobile_masked == "139****0006"


def test_profile_shows_the_mobile_masked(client_for):
    page = client_for("resident").get("/accounts/me/").content.decode()
    assert "139****0006" in page
    assert "13903520006" not in page


def test_a_duplicate_mobile_is_refused(demo):
    from django.core.exceptions import ValidationError

    user = User(username="someone", mobile="13903520006")
    with pytest.raises(ValidationError, match="该手机号已被其他账号使用"):
        user.full_clean()


def test_invalid_mobile_is_refused(demo):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="11 位"):
        User(username="someone", mobile="12345").full_clean()


def test_sign_out_needs_post_and_ends_the_session(client_for):
    client = client_for("street")
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_password_change(client_for, demo):
    client = client_for("volunteer")
    bad = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": "x", "new_password2": "x"},
    )
    assert bad.status_code == 200
    assert demo.user("volunteer").check_password("linli-demo")
    good = client.post(
        "/accounts/password/",
        {
            "old_password": "linli-demo",
            "new_password1": "Qingshui-river-2026",
            "new_password2": "Qingshui-river-2026",
        },
    )
    assert good.status_code == 302
    assert demo.user("volunteer").check_password("Qingshui-river-2026")
    assert AuditEvent.objects.filter(action="account.password_change").exists()


def test_session_cookie_settings(settings):
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_HTTPONLY


def test_open_redirects_after_sign_in_are_refused(client, demo):
    response = client.post(
        LOGIN, {"username": "street", "password": "linli-demo", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response.url == reverse("core:home")


def test_home_shows_what_each_user_can_do(client_for):
    street_home = client_for("street").get("/").content.decode()
    assert "/accounts/audit/" in street_home
    resident_home = client_for("resident").get("/").content.decode()
    assert "/accounts/audit/" not in resident_home
    # residents meet what residents do, not the staff's place tree
    assert "/places/" not in resident_home and "/orders/new/" in resident_home
