"""The printed notice of a failed mediation (人民调解终止告知书, 人民调解法 art. 26): the
parties, the dispute, why it ended, where the parties were referred and the rights they
keep, signed by the mediators for the committee; only for a failed mediation, only to those
who may see it (404 for everyone else), never with the phones or the facts; why it ended is
recorded with the failure, on the page and in the API."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from linli.core.models import AuditEvent
from linli.mediation import services
from linli.mediation.models import (
    DisputeKind,
    Mediation,
    MediationEndReason,
    MediationEvent,
    MediationStatus,
    Referral,
)
from linli.residents.models import Resident
from tests.factories import earlier_today

pytestmark = pytest.mark.django_db

FACTS = "楼上卫生间漏水三个月，楼下天花板发霉，双方多次争吵。"
NOTE = "告知双方可向平城区人民法院起诉。"


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def resident_row(demo):
    return Resident.objects.get(user=demo.user("resident"))


def open_one(demo, resident_row, **kwargs):
    return services.mediation_open(
        actor=demo.user("secretary"),
        place=demo.nanguanfang,
        kind=DisputeKind.NEIGHBOURS,
        subject="楼上漏水",
        facts=FACTS,
        parties=[
            {"side": "a", "resident": resident_row, "details": "女，71岁，退休"},
            {"side": "b", "name": "钱立新", "phone": "13800001111", "address": "6号楼1单元201"},
        ],
        mediators=[demo.user("secretary")],
        **kwargs,
    )


def failed(demo, resident_row, referral=Referral.COURT, reason=MediationEndReason.PARTY_ENDED):
    secretary = demo.user("secretary")
    mediation = services.mediation_accept(actor=secretary, mediation=open_one(demo, resident_row))
    services.mediation_session_record(
        actor=secretary,
        mediation=mediation,
        held_at=earlier_today(),
        venue="议事厅",
        attendees="双方",
        notes="乙方不认可维修报价。",
    )
    return services.mediation_fail(
        actor=secretary,
        mediation=mediation,
        failed_on=timezone.localdate(),
        referral=referral,
        note=NOTE,
        reason=reason,
    )


def notice_url(mediation) -> str:
    return f"/servicedesk/mediations/{mediation.pk}/notice/"


def section(html: str, testid: str) -> str:
    match = re.search(rf'<(\w+) data-testid="{testid}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, testid
    return match.group(2)


# -- the failure and its reason -----------------------------------------------------------------


def test_the_failure_records_why_the_mediation_ended(demo, resident_row):
    mediation = failed(demo, resident_row)
    assert mediation.status == MediationStatus.FAILED
    assert mediation.end_reason == MediationEndReason.PARTY_ENDED
    event = MediationEvent.objects.get(mediation=mediation, kind="failed")
    assert event.data == {"referral": "court", "reason": "party_ended"}
    other = services.mediation_accept(
        actor=demo.user("secretary"), mediation=open_one(demo, resident_row)
    )
    with pytest.raises(ValidationError):
        services.mediation_fail(
            actor=demo.user("secretary"),
            mediation=other,
            failed_on=timezone.localdate(),
            referral=Referral.COURT,
            note=NOTE,
            reason="bored",
        )
    other.refresh_from_db()
    assert other.status == MediationStatus.IN_MEDIATION and other.end_reason == ""
    # Without a reason given: the parties could not agree.
    other = services.mediation_fail(
        actor=demo.user("secretary"),
        mediation=other,
        failed_on=timezone.localdate(),
        referral=Referral.ARBITRATION,
        note=NOTE,
    )
    assert other.end_reason == MediationEndReason.NO_AGREEMENT


# -- the printout -------------------------------------------------------------------------------


def test_the_notice_shows_exactly_the_parties_and_the_referral(demo, resident_row, english):
    mediation = failed(demo, resident_row)
    secretary = demo.user("secretary")
    page = english("secretary").get(f"/servicedesk/mediations/{mediation.pk}/")
    assert notice_url(mediation) in page.content.decode()
    response = english("secretary").get(notice_url(mediation))
    assert response.status_code == 200
    html = response.content.decode()
    assert "minutes-print.css" in html and "Notice of the end of people's mediation" in html
    rows = re.findall(r'<tr data-testid="print-party">(.*?)</tr>', html, re.S)
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in rows]
    assert cells == [
        ["party A", resident_row.name, "女，71岁，退休", cells[0][3]],
        ["party B", "钱立新", "", "6号楼1单元201"],
    ]
    referral = section(html, "print-referral")
    assert 'data-referral="court"' in referral
    assert "a people&#x27;s court (lawsuit)" in referral or "a people's court" in referral
    assert "bring a lawsuit before the people" in referral and NOTE in referral
    assert "arbitration body" not in referral and "administrative department" not in referral
    reason = section(html, "print-reason")
    assert "a party asked to end the mediation" in reason
    assert timezone.localdate().isoformat() in reason and "article 26" in reason
    dispute = section(html, "print-dispute")
    assert "楼上漏水" in dispute and "neighbour dispute" in dispute and "1 session" in dispute
    assert "art. 195" in section(html, "print-rights")
    signatures = section(html, "print-signatures")
    assert f"mediator {secretary.display_name}" in signatures
    assert "钱立新" not in signatures  # the parties sign for receipt, not as mediators
    receipts = section(html, "print-receipts")
    assert resident_row.name in receipts and "钱立新" in receipts
    assert "People&#x27;s mediation committee of 南官房小区" in html or (
        "People's mediation committee of 南官房小区" in html
    )
    # Neither the phones, nor the facts, nor the sessions' notes.
    for secret in ("13800001111", "138****1111", FACTS, "乙方不认可维修报价", resident_row.phone):
        assert secret not in html, secret
    assert AuditEvent.objects.filter(
        action="mediation.print_notice", object_id=str(mediation.pk)
    ).exists()


@pytest.mark.parametrize(
    ("referral", "says", "not_says"),
    [
        (Referral.ARBITRATION, "arbitration body", "bring a lawsuit"),
        (Referral.ADMINISTRATIVE, "competent administrative department", "arbitration body"),
    ],
)
def test_each_referral_says_where_to_go(demo, resident_row, english, referral, says, not_says):
    mediation = failed(demo, resident_row, referral=referral)
    referral_html = section(
        english("secretary").get(notice_url(mediation)).content.decode(), "print-referral"
    )
    assert says in referral_html and not_says not in referral_html


def test_only_a_failed_mediation_has_a_notice(demo, resident_row, english):
    secretary = demo.user("secretary")
    client = english("secretary")
    registered = open_one(demo, resident_row)
    assert client.get(notice_url(registered)).status_code == 404
    in_mediation = services.mediation_accept(
        actor=secretary, mediation=open_one(demo, resident_row)
    )
    assert client.get(notice_url(in_mediation)).status_code == 404
    today = timezone.localdate()
    agreed = services.mediation_agree(
        actor=secretary,
        mediation=services.mediation_accept(
            actor=secretary, mediation=open_one(demo, resident_row)
        ),
        agreed_on=today,
        facts="渗水。",
        matters="维修；乙方负责。",
        terms="修好。",
        method="自行维修。",
        due=None,
    )
    assert client.get(notice_url(agreed)).status_code == 404
    withdrawn = services.mediation_withdraw(
        actor=secretary, mediation=open_one(demo, resident_row), reason="自行和解"
    )
    assert client.get(notice_url(withdrawn)).status_code == 404
    assert client.get("/servicedesk/mediations/999999999/notice/").status_code == 404
    for m in (registered, in_mediation, agreed, withdrawn):
        page = client.get(f"/servicedesk/mediations/{m.pk}/").content.decode()
        assert 'data-testid="notice-link"' not in page
    assert not AuditEvent.objects.filter(action="mediation.print_notice").exists()


def test_who_may_print_the_notice(demo, resident_row, english):
    mediation = failed(demo, resident_row)
    url = notice_url(mediation)
    for username in ("secretary", "community"):
        assert english(username).get(url).status_code == 200, username
    # The resident who is a party: their own mediation's notice, with their own row.
    mine = english("resident").get(url)
    assert mine.status_code == 200 and resident_row.name in mine.content.decode()
    assert "138****1111" not in mine.content.decode()
    page = english("resident").get(f"/servicedesk/mediations/{mediation.pk}/").content.decode()
    assert url in page
    outsiders = ("property", "doctor", "patrol", "inspector", "volunteer", "street", "district")
    for username in outsiders:
        assert english(username).get(url).status_code == 404, username
    # A resident who is not a party.
    other = (
        Resident.objects.filter(user__isnull=False)
        .exclude(user=demo.user("resident"))
        .exclude(user__username__in=["secretary", "community"])
        .select_related("user")
        .first()
    )
    if other is not None and not mediation.parties.filter(resident=other).exists():
        assert english(other.user.username).get(url).status_code == 404
    assert english("secretary").post(url).status_code == 405


def test_the_notice_costs_a_bounded_number_of_queries(
    demo, resident_row, english, django_assert_max_num_queries
):
    mediation = failed(demo, resident_row)
    client = english("secretary")
    client.get(notice_url(mediation))
    with django_assert_max_num_queries(20):
        assert client.get(notice_url(mediation)).status_code == 200


# -- the page and the API -----------------------------------------------------------------------


def test_the_page_records_why_it_ended(demo, resident_row, english):
    mediation = services.mediation_accept(
        actor=demo.user("secretary"), mediation=open_one(demo, resident_row)
    )
    url = f"/servicedesk/mediations/{mediation.pk}/"
    client = english("secretary")
    form = client.get(url).content.decode()
    assert 'name="reason"' in form and 'value="party_refused"' in form
    data = {
        "action": "fail",
        "failed_on": timezone.localdate().isoformat(),
        "referral": "administrative",
        "note": NOTE,
    }
    assert client.post(url + "action/", {**data, "reason": "bored"}).status_code == 400
    assert client.post(url + "action/", {**data, "reason": "party_refused"}).status_code == 302
    mediation.refresh_from_db()
    assert mediation.end_reason == "party_refused" and mediation.referral == "administrative"
    page = client.get(url).content.decode()
    assert "a party refused to take part in mediation" in section(page, "end-reason")


def test_the_api_takes_and_gives_the_reason(demo, resident_row, english):
    mediation = services.mediation_accept(
        actor=demo.user("secretary"), mediation=open_one(demo, resident_row)
    )
    api = f"/api/v1/servicedesk/mediations/{mediation.pk}"
    client = english("secretary")
    body = {"failed_on": timezone.localdate().isoformat(), "referral": "court", "note": NOTE}
    refused = client.post(
        f"{api}/failure", json.dumps({**body, "reason": "bored"}), content_type="application/json"
    )
    assert refused.status_code in (400, 422)
    done = client.post(
        f"{api}/failure",
        json.dumps({**body, "reason": "other_body"}),
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["failure"]["reason"] == "other_body"
    assert english("resident").get(api).json()["failure"]["reason"] == "other_body"
    assert Mediation.objects.get(pk=mediation.pk).end_reason == "other_body"
