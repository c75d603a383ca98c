"""Audit log, periodic jobs, settings, encryption and key rotation, language and large type."""

from datetime import timedelta
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from linli.core import crypto
from linli.core.audit import audit_record
from linli.core.models import AuditEvent
from linli.core.periodic import enqueue_due_jobs, registered_jobs
from linli.places.models import Place
from linli.settings.env import cache_settings

pytestmark = pytest.mark.django_db


def test_the_audit_log_is_append_only(demo):
    event = audit_record(actor=demo.user("district"), action="test.read", obj=demo.nanguanfang)
    assert event.place_path == demo.nanguanfang.path
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.read"


def test_audit_page_shows_only_events_within_scope(client_for, demo):
    audit_record(actor=demo.user("admin"), action="test.in_luyuan", obj=demo.nanguanfang)
    audit_record(
        actor=demo.user("admin"), action="test.in_qingyuan", obj=demo.place("平城区/清远街道")
    )
    street_page = client_for("street").get("/accounts/audit/").content.decode()
    assert "test.in_luyuan" in street_page
    assert "test.in_qingyuan" not in street_page
    district_page = client_for("district").get("/accounts/audit/").content.decode()
    assert "test.in_luyuan" in district_page and "test.in_qingyuan" in district_page


@pytest.mark.parametrize("username", ["community", "secretary", "resident", "patrol", "doctor"])
def test_audit_page_is_not_there_for_other_roles(client_for, username):
    assert client_for(username).get("/accounts/audit/").status_code == 404


def test_audit_records_where_a_request_came_from(client, demo):
    client.post(
        "/accounts/login/",
        {"username": "street", "password": "linli-demo"},
        REMOTE_ADDR="10.1.2.3",
        HTTP_USER_AGENT="TestPhone/1.0",
    )
    event = AuditEvent.objects.filter(action="account.login").latest("id")
    assert event.ip_address == "10.1.2.3"
    assert event.user_agent == "TestPhone/1.0"
    assert event.actor.username == "street"


def test_periodic_jobs_are_enqueued_once_per_interval():
    names = [job.name for job in registered_jobs()]
    assert "linli.core.tasks.housekeeping" in names
    now = timezone.now()
    housekeeping = "linli.core.tasks.housekeeping"
    assert housekeeping in enqueue_due_jobs(now=now)
    assert housekeeping not in enqueue_due_jobs(now=now + timedelta(hours=1))
    assert housekeeping in enqueue_due_jobs(now=now + timedelta(days=1))


def test_housekeeping_removes_expired_sessions(client_for, demo):
    from django.contrib.sessions.models import Session

    from linli.core.tasks import housekeeping

    client_for("street")
    Session.objects.update(expire_date=timezone.now() - timedelta(days=1))
    result = housekeeping.call()
    assert result["sessions"] >= 1
    assert not Session.objects.exists()


def test_scheduler_command_runs_once():
    out = StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "housekeeping" in out.getvalue()


def test_redis_url_switches_cache_and_sessions():
    caches, engine = cache_settings("redis://127.0.0.1:6379/1")
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert engine == "django.contrib.sessions.backends.cache"
    caches, engine = cache_settings(None)
    assert caches["default"]["BACKEND"].endswith("LocMemCache")
    assert engine == "django.contrib.sessions.backends.db"


def test_production_settings_refuse_to_start_without_secrets(monkeypatch):
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    for name in ("SECRET_KEY", "LINLI_DATA_KEYS", "LINLI_LOOKUP_KEY"):
        monkeypatch.delenv(name, raising=False)
    sys.modules.pop("linli.settings.production", None)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        importlib.import_module("linli.settings.production")
    sys.modules.pop("linli.settings.production", None)


def test_masking():
    assert crypto.mask_phone("13812341234") == "138****1234"
    assert crypto.mask_id_number("140213195001011234") == "140213********1234"
    assert crypto.mask_phone("") == ""


def test_rotate_data_key_re_encrypts_without_loss(demo, settings):
    from linli.residents.models import Resident

    sample = list(Resident.objects.order_by("id")[:20])
    assert sample, "the demo world has residents"
    old_keys = list(settings.LINLI_DATA_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.LINLI_DATA_KEYS = [new_key, *old_keys]
    call_command("rotate-data-key", stdout=StringIO())
    settings.LINLI_DATA_KEYS = [new_key]  # the old key is gone
    assert demo.user("resident").mobile == "13903520006"
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM accounts_user WHERE username = 'resident'")
        (token,) = cursor.fetchone()
    assert Fernet(new_key).decrypt(token.encode()).decode() == "13903520006"
    for before in sample:
        after = Resident.objects.get(pk=before.pk)
        assert (after.id_number, after.phone) == (before.id_number, before.phone)


def test_chinese_is_the_default_whatever_the_browser_says(client_for):
    client = client_for("street")
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    assert 'lang="zh-Hans"' in page.content.decode()


def test_the_language_switch_keeps_the_page(client_for, demo):
    client = client_for("street")
    target = f"/places/{demo.nanguanfang.pk}/"
    response = client.post("/i18n/setlang/", {"language": "en", "next": target})
    assert response.status_code == 302
    assert response.url == target
    page = client.get(target)
    assert page["Content-Language"] == "en"
    assert "Nanguanfang Compound" in page.content.decode()
    assert "Places below" in page.content.decode()


def test_large_type_mode(client_for):
    client = client_for("resident")
    client.post("/ui/large-type/", {"on": "1", "next": "/"})
    assert 'class="large-type"' in client.get("/").content.decode()
    client.post("/ui/large-type/", {"on": "0", "next": "/"})
    assert 'class="large-type"' not in client.get("/").content.decode()


def test_large_type_refuses_foreign_redirects(client_for):
    response = client_for("resident").post(
        "/ui/large-type/", {"on": "1", "next": "https://evil.example/"}
    )
    assert response.url == "/"


def test_demo_is_idempotent(demo):
    before = (Place.objects.count(), AuditEvent.objects.filter(action="grant.create").count())
    call_command("demo", stdout=StringIO())
    assert (
        Place.objects.count(),
        AuditEvent.objects.filter(action="grant.create").count(),
    ) == before


def test_demo_world_has_the_seed_places_and_accounts(demo):
    streets = set(Place.objects.filter(kind="street").values_list("name", flat=True))
    assert streets == {"鹿苑街道", "清远街道", "新旺街道", "水泊寺街道", "卧虎湾街道", "文瀛湖街道"}
    assert Place.objects.filter(kind="community").count() == 8
    assert (
        Place.objects.filter(
            kind="household", name_path__startswith="平城区/鹿苑街道/站东社区/南官房小区/"
        ).count()
        == 432
    )
    from linli.accounts.models import User

    assert {
        "admin",
        "district",
        "street",
        "community",
        "secretary",
        "property",
        "resident",
        "doctor",
        "patrol",
        "inspector",
        "volunteer",
    } <= set(User.objects.values_list("username", flat=True))
    # every account one can sign in to has the demo password; the summer tutoring's
    # guardians have accounts (for their children's codes) that nobody signs in to
    usable = [u for u in User.objects.all() if u.has_usable_password()]
    assert len(usable) >= 12 and all(u.check_password("linli-demo") for u in usable)
    assert all(u.username.startswith("guardian") for u in User.objects.all() if u not in usable)


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_unknown_page_is_a_friendly_404(client_for):
    response = client_for("street").get("/no/such/page/")
    assert response.status_code == 404


def test_production_settings_pass_check_deploy():
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "linli.settings.production",
        "SECRET_KEY": Fernet.generate_key().decode() * 2,
        "LINLI_DATA_KEYS": Fernet.generate_key().decode(),
        "LINLI_LOOKUP_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "linli.example.org",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    result = subprocess.run(
        [sys.executable, "-m", "linli.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_lookup_hash_is_declared_for_restores_under_a_new_key():
    """A restore under a new LINLI_LOOKUP_KEY recomputes the hashes models declare; a model
    that keeps a keyed hash without declaring it would silently stop finding its rows. The
    API and Open311 keys are plain digests of random secrets, not keyed hashes."""
    from django.apps import apps

    plain_digests = {"accounts.ApiToken.key_hash", "workorders.Open311Key.key_hash"}
    undeclared = [
        f"{model._meta.label}.{f.name}"
        for model in apps.get_models()
        if model.__module__.startswith("linli.")
        for f in model._meta.concrete_fields
        if f.name.endswith("_hash")
        and f.name not in getattr(model, "LOOKUP_HASHES", {})
        and f"{model._meta.label}.{f.name}" not in plain_digests
    ]
    assert undeclared == []
