"""The audit log in the Django admin reads like the site's audit page (issue 14, item 10):
actions by their labels from core.audit_labels, in the list, in its filter and on an event's
page, and a label typed in the search box finds its events; the log stays read-only there."""

import re

import pytest

from linli.core.audit import audit_record
from linli.core.audit_labels import ACTION_LABELS
from linli.core.models import AuditEvent
from linli.health.models import HealthCard

pytestmark = pytest.mark.django_db

URL = "/admin/core/auditevent/"


@pytest.fixture
def card(demo):
    return HealthCard.objects.filter(
        resident__household__place__path__startswith=demo.nanguanfang.path
    ).first() or pytest.skip("the demo world holds no health card in the compound")


@pytest.fixture
def read_event(demo, card):
    return audit_record(actor=demo.user("doctor"), action="health.card.read", obj=card)


def rows(html: str) -> list[str]:
    if 'id="result_list"' not in html:
        return []  # the admin shows no table for an empty list
    body = html[html.index('id="result_list"') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return re.findall(r"<tr.*?</tr>", body, re.S)


def filter_block(html: str) -> str:
    start = html.index('id="changelist-filter"')
    return html[start : html.index("</nav>", start)]


def row_of(html: str, event) -> str:
    return next(row for row in rows(html) if f"/{event.pk}/change/" in row)


def test_the_list_shows_labels_not_codes(english, read_event):
    html = english("admin").get(URL).content.decode()
    row = row_of(html, read_event)
    assert "Health card read" in row
    assert "health.card.read" not in row


def test_the_list_names_objects_and_people_as_the_site_does(english, demo, card, read_event):
    row = row_of(english("admin").get(URL).content.decode(), read_event)
    assert f"health help card · {card.resident.name}" in row
    assert f"health card {card.pk}" not in row
    doctor = demo.user("doctor")
    assert doctor.display_name in row and ">doctor<" not in row


def test_a_page_of_many_kinds_costs_a_bounded_number_of_queries(
    english, demo, card, django_assert_max_num_queries
):
    from linli.workorders.models import WorkOrder

    doctor = demo.user("doctor")  # a whole page (the admin's 100) of the events made here
    for order in WorkOrder.objects.all()[:50]:
        audit_record(actor=doctor, action="workorder.file", obj=order)
    for _ in range(50):
        audit_record(actor=doctor, action="health.card.read", obj=card)
    client = english("admin")
    client.get(URL)
    with django_assert_max_num_queries(20):
        assert client.get(URL).status_code == 200


def test_the_action_filter_is_labelled_and_filters(english, demo, read_event):
    audit_record(actor=demo.user("admin"), action="account.login")
    client = english("admin")
    block = filter_block(client.get(URL).content.decode())
    assert "Health card read" in block and "Signed in" in block
    assert ">health.card.read<" not in block and ">account.login<" not in block
    html = client.get(URL, {"action": "health.card.read"}).content.decode()
    listed = rows(html)
    assert listed and all("Health card read" in row for row in listed)
    assert not any("Signed in" in row for row in listed)


def test_a_label_typed_in_the_search_finds_its_events(english, demo, read_event):
    login = audit_record(actor=demo.user("admin"), action="account.login")
    html = english("admin").get(URL, {"q": "signed in"}).content.decode()
    assert row_of(html, login)  # "signed" is in no code, recorded name or object
    assert all("Signed in" in row for row in rows(html))


def test_an_unnamed_action_still_shows_its_code(english, demo):
    code = "test.never_named"
    assert code not in ACTION_LABELS
    event = audit_record(actor=demo.user("admin"), action=code)
    html = english("admin").get(URL).content.decode()
    assert code in row_of(html, event) and code in filter_block(html)


def test_an_event_page_shows_the_label_and_is_read_only(english, read_event):
    client = english("admin")
    url = f"{URL}{read_event.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Health card read" in html and "health.card.read" in html  # the code, for search
    assert 'name="_save"' not in html and "<textarea" not in html
    before = AuditEvent.objects.get(pk=read_event.pk).action
    assert client.post(url, {"action": "account.login"}).status_code == 403
    assert AuditEvent.objects.get(pk=read_event.pk).action == before
    assert client.get(f"{URL}add/").status_code == 403
    assert client.get(f"{URL}{read_event.pk}/delete/").status_code == 403
    listing = client.get(URL).content.decode()
    assert "delete_selected" not in listing


def test_a_staff_member_sees_labels_only_for_their_scope(english, demo, read_event):
    """A street official with the admin sees the compound's events, by label; the sign-ins,
    which belong to no place, are the superuser's alone."""
    from linli.accounts.models import User

    User.objects.filter(username="street").update(is_staff=True)
    audit_record(actor=demo.user("admin"), action="account.login")
    client = english("street")
    html = client.get(URL).content.decode()
    assert "Health card read" in filter_block(html)
    assert "Signed in" not in filter_block(html)
    assert row_of(html, read_event)
    assert rows(client.get(URL, {"action": "account.login"}).content.decode()) == []
