"""Mediation in the Django admin: read-only lists and pages within the user's scope (the
desk's staff of the compound; property staff see nothing), no encrypted field in any list
or page — the facts, the agreement, the notes — and the parties' phones only masked;
opening a mediation there is audited as a read."""

import pytest
from django.contrib.admin.sites import site
from django.utils import timezone

from linli.accounts.models import User
from linli.core.crypto import EncryptedTextField
from linli.core.models import AuditEvent
from linli.mediation import services
from linli.mediation.models import (
    DisputeKind,
    Mediation,
    MediationEvent,
    MediationParty,
    MediationSession,
    Referral,
)
from linli.residents.models import Resident
from tests.factories import earlier_today

pytestmark = pytest.mark.django_db

FACTS = "楼上卫生间漏水三个月，楼下天花板发霉。"
NOTES = "乙方不认可维修报价，要求第三方定损。"
REFERRAL_NOTE = "告知双方可向平城区人民法院起诉。"
PHONE = "13800001111"
MODELS = (Mediation, MediationParty, MediationSession, MediationEvent)


@pytest.fixture
def mediation(demo):
    secretary = demo.user("secretary")
    resident_row = Resident.objects.get(user=demo.user("resident"))
    mediation = services.mediation_open(
        actor=secretary,
        place=demo.nanguanfang,
        kind=DisputeKind.NEIGHBOURS,
        subject="楼上漏水",
        facts=FACTS,
        parties=[
            {"side": "a", "resident": resident_row},
            {"side": "b", "name": "钱立新", "phone": PHONE},
        ],
        mediators=[secretary],
    )
    services.mediation_accept(actor=secretary, mediation=mediation)
    services.mediation_session_record(
        actor=secretary,
        mediation=mediation,
        held_at=earlier_today(),
        venue="议事厅",
        attendees="双方",
        notes=NOTES,
    )
    return services.mediation_fail(
        actor=secretary,
        mediation=mediation,
        failed_on=timezone.localdate(),
        referral=Referral.COURT,
        note=REFERRAL_NOTE,
    )


@pytest.fixture
def staff(english):
    def sign_in(username):
        User.objects.filter(username=username).update(is_staff=True)
        return english(username)

    return sign_in


def _secrets(mediation) -> list[str]:
    return [FACTS, NOTES, REFERRAL_NOTE, PHONE, mediation.parties.get(side="a").phone]


def test_no_admin_of_mediation_names_an_encrypted_field():
    for model in MODELS:
        encrypted = {f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)}
        admins = [site._registry[model]] if model in site._registry else []
        for parent in site._registry.values():
            admins += [i for i in parent.inlines if i.model is model]
        assert admins or model is MediationEvent, model
        for admin in admins:
            for option in ("list_display", "fields", "readonly_fields", "search_fields"):
                named = set(getattr(admin, option, None) or [])
                assert not named & encrypted, (admin, option, named & encrypted)


def test_the_lists_render_masked_for_the_desk(staff, mediation, django_assert_max_num_queries):
    client = staff("secretary")
    html = client.get("/admin/mediation/mediation/").content.decode()
    assert mediation.number in html and "楼上漏水" in html
    parties = client.get("/admin/mediation/mediationparty/")
    assert parties.status_code == 200
    html = parties.content.decode()
    assert "钱立新" in html and "138****1111" in html
    sessions = client.get("/admin/mediation/mediationsession/").content.decode()
    assert "议事厅" in sessions and mediation.number in sessions
    for page in (html, sessions, client.get("/admin/mediation/mediation/").content.decode()):
        for secret in _secrets(mediation):
            assert secret not in page
    with django_assert_max_num_queries(25):
        assert client.get("/admin/mediation/mediation/").status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get("/admin/mediation/mediationparty/").status_code == 200
    # The superuser's lists too, as masked.
    everything = staff("admin").get("/admin/mediation/mediationparty/").content.decode()
    assert "138****1111" in everything and PHONE not in everything


def test_a_mediation_page_is_read_only_without_its_content_and_audited(staff, mediation):
    client = staff("secretary")
    url = f"/admin/mediation/mediation/{mediation.pk}/change/"
    before = AuditEvent.objects.filter(action="mediation.read").count()
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "钱立新" in html and "138****1111" in html and "议事厅" in html
    for secret in _secrets(mediation):
        assert secret not in html, secret
    assert 'name="_save"' not in html and "<textarea" not in html
    assert AuditEvent.objects.filter(action="mediation.read").count() == before + 1
    assert client.post(url, {"subject": "改了"}).status_code == 403
    assert Mediation.objects.get(pk=mediation.pk).subject == "楼上漏水"
    assert client.get("/admin/mediation/mediation/add/").status_code == 403
    assert client.get(f"/admin/mediation/mediation/{mediation.pk}/delete/").status_code == 403
    party = mediation.parties.get(side="b")
    party_page = client.get(f"/admin/mediation/mediationparty/{party.pk}/change/")
    assert party_page.status_code == 200 and PHONE not in party_page.content.decode()


def test_property_staff_and_the_street_see_no_mediation(staff, mediation):
    for username in ("property", "street"):
        client = staff(username)
        for model in ("mediation", "mediationparty", "mediationsession"):
            listing = client.get(f"/admin/mediation/{model}/")
            assert listing.status_code == 403, (username, model)
        page = client.get(f"/admin/mediation/mediation/{mediation.pk}/change/")
        assert page.status_code in (302, 403, 404)
        assert "楼上漏水" not in client.get("/admin/").content.decode()
    assert not AuditEvent.objects.filter(
        action="mediation.read", actor__username__in=["property", "street"]
    ).exists()
