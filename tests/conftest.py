import os

import pytest
from django.core.management import call_command

from linli.accounts.models import User
from linli.places.models import Place

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo world, loaded once into the test database; each test runs in a transaction
    that is rolled back, so tests see it fresh."""
    with django_db_blocker.unblock():
        call_command("demo", verbosity=0)


@pytest.fixture
def demo_world_tx(transactional_db):
    """The demo world for tests that need real transactions (threads, a live server): the
    database is emptied after each such test, so they load it themselves."""
    call_command("demo", verbosity=0)


@pytest.fixture
def demo(db):
    return Demo()


class Demo:
    """Find demo places and users by name."""

    def place(self, path: str) -> Place:
        return Place.objects.get(name_path=path)

    def user(self, username: str) -> User:
        return User.objects.get(username=username)

    @property
    def district(self):
        return self.place("平城区")

    @property
    def luyuan(self):
        return self.place("平城区/鹿苑街道")

    @property
    def zhandong(self):
        return self.place("平城区/鹿苑街道/站东社区")

    @property
    def nanguanfang(self):
        return self.place("平城区/鹿苑街道/站东社区/南官房小区")

    @property
    def resident_household(self):
        return self.place("平城区/鹿苑街道/站东社区/南官房小区/6号楼/1单元/101")


@pytest.fixture
def client_for(demo):
    """A new signed-in test client per call, so that several people can act in one test."""
    from django.test import Client

    def sign_in(username):
        client = Client()
        client.force_login(demo.user(username))
        return client

    return sign_in


@pytest.fixture
def english(client_for):
    """Signed-in clients that see the English message ids (the language switch's cookie)."""
    from django.conf import settings

    def sign_in(username):
        client = client_for(username)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return sign_in


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        message = f"no browser: {CHROMIUM} is missing (apt-get install -y chromium)"
        if os.environ.get("LINLI_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args):
    # a phone-sized screen: the pages must work there
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "locale": "en-US"}


@pytest.fixture
def without_demo_orders(db):
    """Start from no work orders (the demo world has a year of them), for tests that count
    or list every order. Undone with the test's transaction."""
    from linli.core.models import Notification
    from linli.servicedesk.models import Consultation
    from linli.workorders.models import WorkOrder, WorkOrderEvent

    Notification.objects.all().delete()
    Consultation.objects.update(work_order=None)
    WorkOrderEvent.objects.all().delete()
    WorkOrder.objects.update(merged_into=None)
    WorkOrder.objects.all().delete()


def clear_demo_health():
    """Remove the demo world's health records (cards, a year of readings, free clinics,
    devices), for tests that make their own cards — 周桂兰's among them — and count what
    they made."""
    from linli.health.models import (
        Alert,
        CardEvent,
        CheckIn,
        ClinicEvent,
        Consent,
        Device,
        FollowUp,
        HealthCard,
        Reading,
        Registration,
    )

    for model in (Alert, FollowUp, Reading, CheckIn, Device, Registration, ClinicEvent):
        model.objects.all().delete()
    for model in (Consent, CardEvent, HealthCard):
        model.objects.all().delete()


@pytest.fixture
def without_demo_health(db):
    """No health records to start from; undone with the test's transaction."""
    clear_demo_health()
