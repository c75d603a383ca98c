"""代办 (issue 15 item 3): a case handled on an elderly or disabled resident's behalf, as a
proper record — who acts and why, the signed letter (encrypted at rest, every view
audited), the ID check, the custody log of originals taken and returned, signed for — and
who may see it."""

import base64
import io
import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image, ImageDraw

from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError
from linli.core.lifecycle import field_values
from linli.core.models import AuditEvent
from linli.places.models import Place
from linli.residents.idnumbers import make_id_number
from linli.residents.models import Resident
from linli.servicedesk import services
from linli.servicedesk.models import (
    CaseEvent,
    CaseStatus,
    MatterKind,
    OriginalCustody,
    ProxyAuthorisation,
    ProxyFile,
    ProxyStatus,
)
from linli.servicedesk.services import MaterialSpec, VersionSpec

pytestmark = pytest.mark.django_db
AGENT_ID = make_id_number("140202", date(1978, 5, 6), 131)


def png(width=240, height=120, *, stroke=True, fmt="PNG") -> bytes:
    image = Image.new("RGB", (width, height), "white")
    if stroke:
        ImageDraw.Draw(image).line((10, 60, 120, 20, 230, 90), fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def drawn(**kwargs) -> str:
    return "data:image/png;base64," + base64.b64encode(png(**kwargs)).decode()


def photo(name="letter.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png(800, 1100, fmt="JPEG"), content_type="image/jpeg")


@pytest.fixture
def matter(demo):
    return services.matter_create(
        actor=demo.user("street"),
        place=demo.luyuan,
        kind=MatterKind.BENEFIT,
        spec=VersionSpec(
            name="高龄津贴测试",
            department="测试民政局",
            implementing_body="测试街道办事处",
            legal_basis="《老年人权益保障法》",
            promised_days=5,
            materials=[MaterialSpec("居民户口簿", "original", 1), MaterialSpec("申请表")],
        ),
    )


@pytest.fixture
def resident(demo):
    # 周桂兰, born 1951: elderly by the register's birth date
    return Resident.objects.select_related("place").get(user=demo.user("resident"))


@pytest.fixture
def case(demo, matter, resident):
    return services.case_open(actor=demo.user("community"), resident=resident, matter=matter)


def authorise(demo, case, who="community", **overrides) -> ProxyAuthorisation:
    values = {
        "agent_name": "李建国",
        "agent_relation": "relative",
        "agent_relation_note": "儿子",
        "agent_id_number": AGENT_ID,
        "agent_phone": "13912345678",
        "reason": "elderly",
    }
    values.update(overrides)
    return services.proxy_authorise(actor=demo.user(who), case=case, **values)


def in_force(demo, case) -> ProxyAuthorisation:
    proxy = authorise(demo, case)
    services.proxy_letter_attach(actor=demo.user("community"), proxy=proxy, upload=photo())
    return services.proxy_check_ids(
        actor=demo.user("community"), proxy=proxy, resident_method="id_card", agent_method="hukou"
    )


def take(demo, proxy, document="居民户口簿原件", who="community"):
    return services.original_take(
        actor=demo.user(who),
        proxy=proxy,
        document=document,
        taken_from="李建国",
        signature_drawn=drawn(),
    )


def to_done(demo, case):
    for line in case.materials.all():
        services.case_material_mark(
            actor=demo.user("community"), case=case, material_id=line.pk, received=True
        )
    for name in ("accept", "approve"):
        services.case_take_step(actor=demo.user("community"), case=case, step=name)


def kinds(case) -> list[str]:
    return list(
        CaseEvent.objects.filter(case=case).order_by("at", "id").values_list("kind", flat=True)
    )


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


# -- the record and its rules -------------------------------------------------------------------


def test_the_whole_record_from_authorisation_to_the_last_original_returned(demo, case):
    proxy = in_force(demo, case)
    assert proxy.status == ProxyStatus.ACTIVE and proxy.id_checked_by == demo.user("community")
    assert (proxy.resident_id_method, proxy.agent_id_method) == ("id_card", "hukou")
    booklet = take(demo, proxy)
    card = take(demo, proxy, "居民身份证原件")
    to_done(demo, case)
    with pytest.raises(ConflictError) as refusal:
        services.case_take_step(actor=demo.user("community"), case=case, step="finish")
    assert refusal.value.code == "originals_in_custody"
    assert "居民户口簿原件" in refusal.value.message and "居民身份证原件" in refusal.value.message
    assert "finish" not in services.case_steps(user=demo.user("community"), case=case)
    for line in (booklet, card):
        services.original_return(
            actor=demo.user("secretary"),
            custody=line,
            returned_to="周桂兰",
            signature_upload=photo("sheet.png"),
        )
    done = services.case_take_step(actor=demo.user("community"), case=case, step="finish")
    assert done.status == CaseStatus.DONE
    assert kinds(case) == [
        "opened",
        "proxy_authorised",
        "proxy_letter",
        "proxy_id_checked",
        "original_taken",
        "original_taken",
        "received",
        "received",
        "accepted",
        "approved",
        "original_return",
        "original_return",
        "done",
    ]
    booklet.refresh_from_db()
    assert booklet.returned_to == "周桂兰" and booklet.returned_signature.method == "photo"
    assert booklet.taken_signature.method == "drawn"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "servicedesk.proxy.authorise",
        "servicedesk.proxy.letter",
        "servicedesk.proxy.check_ids",
        "servicedesk.proxy.original_take",
        "servicedesk.proxy.original_return",
    } <= actions


def test_only_a_resident_who_qualifies(demo, case, resident):
    Resident.objects.filter(pk=resident.pk).update(
        birth_date=timezone.localdate() - timedelta(days=59 * 366), disabled=False
    )
    case.resident.refresh_from_db()
    with pytest.raises(ValidationError) as young:
        authorise(demo, case)
    assert "60" in str(young.value.message_dict)
    with pytest.raises(ValidationError) as not_disabled:
        authorise(demo, case, reason="disabled")
    assert "reason_note" in not_disabled.value.message_dict
    with pytest.raises(ValidationError):
        authorise(demo, case, reason="lives_alone")
    with pytest.raises(ValidationError) as unstated:
        authorise(demo, case, reason="bedridden", reason_note="  ")
    assert "reason_note" in unstated.value.message_dict
    assert not ProxyAuthorisation.objects.filter(case=case).exists()
    proxy = authorise(demo, case, reason="bedridden", reason_note="腿骨骨折，卧床三个月")
    assert proxy.status == ProxyStatus.PENDING
    Resident.objects.filter(pk=resident.pk).update(disabled=True)


def test_a_disabled_resident_qualifies_by_the_register(demo, case, resident):
    Resident.objects.filter(pk=resident.pk).update(birth_date=date(1990, 1, 1), disabled=True)
    case.resident.refresh_from_db()
    assert authorise(demo, case, reason="disabled").reason == "disabled"


def test_the_agent_is_checked(demo, case, resident):
    for values, field in (
        ({"agent_name": " "}, "agent_name"),
        ({"agent_relation": "boss"}, "agent_relation"),
        ({"agent_id_number": "140202197805061310"}, "agent_id_number"),
        (
            {"agent_id_number": make_id_number("140202", date.today() - timedelta(days=3000), 1)},
            "agent_id_number",
        ),
        ({"agent_phone": "12345"}, "agent_phone"),
    ):
        with pytest.raises(ValidationError) as refusal:
            authorise(demo, case, **values)
        assert field in refusal.value.message_dict, values
    if resident.id_number:
        with pytest.raises(ValidationError) as own:
            authorise(demo, case, agent_id_number=resident.id_number)
        assert "agent_id_number" in own.value.message_dict
    with pytest.raises(ValidationError):
        authorise(demo, case, authorised_on=timezone.localdate() + timedelta(days=1))
    assert not ProxyAuthorisation.objects.filter(case=case).exists()


def test_refusals_of_the_steps_change_nothing(demo, case):
    with pytest.raises(ForbiddenError):
        authorise(demo, case, who="property")
    with pytest.raises(ForbiddenError):
        authorise(demo, case, who="resident")
    proxy = authorise(demo, case)
    with pytest.raises(ConflictError) as twice:
        authorise(demo, case, agent_name="王芳")
    assert twice.value.code == "proxy_exists"
    before = field_values(ProxyAuthorisation.objects.get(pk=proxy.pk))
    events = CaseEvent.objects.filter(case=case).count()
    # the IDs are checked against the signed letter, which comes first
    with pytest.raises(ConflictError) as no_letter:
        services.proxy_check_ids(
            actor=demo.user("community"),
            proxy=proxy,
            resident_method="id_card",
            agent_method="id_card",
        )
    assert no_letter.value.code == "letter_missing"
    # no original is taken before the 代办 is in force
    with pytest.raises(ConflictError) as pending:
        take(demo, proxy)
    assert pending.value.code == "proxy_not_in_force"
    with pytest.raises(ValidationError):
        services.proxy_letter_attach(
            actor=demo.user("community"),
            proxy=proxy,
            upload=SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg"),
        )
    with pytest.raises(ForbiddenError):
        services.proxy_letter_attach(actor=demo.user("property"), proxy=proxy, upload=photo())
    assert field_values(ProxyAuthorisation.objects.get(pk=proxy.pk)) == before
    assert CaseEvent.objects.filter(case=case).count() == events
    assert not ProxyFile.objects.filter(proxy__case=case).exists()
    services.proxy_letter_attach(actor=demo.user("community"), proxy=proxy, upload=photo())
    with pytest.raises(ConflictError) as filed:
        services.proxy_letter_attach(actor=demo.user("community"), proxy=proxy, upload=photo())
    assert filed.value.code == "letter_filed"
    with pytest.raises(ValidationError) as how:
        services.proxy_check_ids(
            actor=demo.user("community"),
            proxy=proxy,
            resident_method="id_card",
            agent_method="in_person",
        )
    assert "agent_method" in how.value.message_dict
    assert ProxyAuthorisation.objects.get(pk=proxy.pk).status == ProxyStatus.PENDING


def test_the_custody_log_is_append_only(demo, case):
    proxy = in_force(demo, case)
    with pytest.raises(ValidationError) as unsigned:
        services.original_take(
            actor=demo.user("community"), proxy=proxy, document="户口簿", taken_from="李建国"
        )
    assert "signature" in unsigned.value.message_dict
    with pytest.raises(ValidationError) as blank:
        services.original_take(
            actor=demo.user("community"),
            proxy=proxy,
            document="户口簿",
            taken_from="李建国",
            signature_drawn=drawn(stroke=False),
        )
    assert "signature" in blank.value.message_dict
    with pytest.raises(ValidationError) as nameless:
        services.original_take(
            actor=demo.user("community"),
            proxy=proxy,
            document=" ",
            taken_from="",
            signature_drawn=drawn(),
        )
    assert {"document", "taken_from"} <= set(nameless.value.message_dict)
    with pytest.raises(ForbiddenError):
        take(demo, proxy, who="property")
    assert (
        not OriginalCustody.objects.filter(proxy__case=case).exists()
        and not ProxyFile.objects.filter(proxy__case=case).exclude(kind="letter").exists()
    )
    line = take(demo, proxy)
    services.original_return(
        actor=demo.user("community"), custody=line, returned_to="李建国", signature_drawn=drawn()
    )
    with pytest.raises(ConflictError) as again:
        services.original_return(
            actor=demo.user("community"),
            custody=line,
            returned_to="周桂兰",
            signature_drawn=drawn(),
        )
    assert again.value.code == "returned"
    line.refresh_from_db()
    assert line.returned_to == "李建国"


def test_revoking_keeps_the_log_and_the_originals_still_go_back(demo, case):
    proxy = in_force(demo, case)
    line = take(demo, proxy)
    with pytest.raises(ValidationError):
        services.proxy_revoke(actor=demo.user("community"), proxy=proxy, reason=" ")
    with pytest.raises(ForbiddenError):
        services.proxy_revoke(actor=demo.user("resident"), proxy=proxy, reason="不再委托")
    proxy = services.proxy_revoke(
        actor=demo.user("community"), proxy=proxy, reason="老人要求改由女儿代办"
    )
    assert proxy.status == ProxyStatus.REVOKED and proxy.revoked_at
    with pytest.raises(ConflictError):
        services.proxy_revoke(actor=demo.user("community"), proxy=proxy, reason="again")
    with pytest.raises(ConflictError) as revoked:
        take(demo, proxy, "身份证原件")
    assert revoked.value.code == "proxy_not_in_force"
    # a new agent may be authorised; the case is still held back by the original in custody
    second = authorise(demo, case, agent_name="李秀英", agent_relation_note="女儿")
    assert second.status == ProxyStatus.PENDING
    with pytest.raises(ConflictError) as held:
        services.case_take_step(actor=demo.user("community"), case=case, step="withdraw")
    assert held.value.code == "originals_in_custody"
    services.original_return(
        actor=demo.user("community"), custody=line, returned_to="周桂兰", signature_drawn=drawn()
    )
    assert (
        services.case_take_step(actor=demo.user("community"), case=case, step="withdraw").status
        == "withdrawn"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "select revoke_reason from servicedesk_proxyauthorisation where id = %s", [proxy.pk]
        )
        assert "女儿" not in cursor.fetchone()[0]


def test_no_authorisation_on_a_closed_case(demo, case):
    services.case_take_step(actor=demo.user("community"), case=case, step="withdraw")
    with pytest.raises(ConflictError) as closed:
        authorise(demo, case)
    assert closed.value.code == "case_closed"


def test_the_letter_and_numbers_are_encrypted_at_rest(demo, case):
    proxy = in_force(demo, case)
    letter = proxy.letter
    with letter.file.open("rb") as stored:
        raw = stored.read()
    assert not raw.startswith(b"\xff\xd8") and b"JFIF" not in raw and not raw.startswith(b"\x89PNG")
    assert letter.file.name.endswith(".bin") and "letter" not in letter.file.name
    data = services.proxy_file_read(actor=demo.user("community"), proxy_file=letter)
    assert data.startswith(b"\xff\xd8")
    with connection.cursor() as cursor:
        cursor.execute(
            "select agent_id_number, agent_phone from servicedesk_proxyauthorisation where id = %s",
            [proxy.pk],
        )
        stored_id, stored_phone = cursor.fetchone()
    assert AGENT_ID not in stored_id and "13912345678" not in stored_phone
    assert proxy.agent_id_number_masked == AGENT_ID[:6] + "********" + AGENT_ID[-4:]
    assert proxy.agent_phone_masked == "139****5678"


# -- pages -------------------------------------------------------------------------------------


def test_the_desk_records_a_proxy_through_the_pages(demo, case, client_for):
    client = client_for("community")
    page = client.get(f"/servicedesk/cases/{case.pk}/").content.decode()
    assert 'data-testid="proxy-section"' in page and 'data-testid="proxy-create"' in page
    form = client.get(f"/servicedesk/cases/{case.pk}/proxy/")
    assert form.status_code == 200 and "周桂兰" in form.content.decode()
    refused = client.post(
        f"/servicedesk/cases/{case.pk}/proxy/",
        {
            "agent_name": "李建国",
            "agent_relation": "relative",
            "agent_id_number": "123",
            "reason": "elderly",
        },
    )
    assert refused.status_code == 400 and not ProxyAuthorisation.objects.filter(case=case).exists()
    created = client.post(
        f"/servicedesk/cases/{case.pk}/proxy/",
        {
            "agent_name": "李建国",
            "agent_relation": "relative",
            "agent_relation_note": "儿子",
            "agent_id_number": AGENT_ID,
            "agent_phone": "13912345678",
            "reason": "elderly",
        },
    )
    proxy = ProxyAuthorisation.objects.get(case=case)
    assert created.status_code == 302 and created["Location"] == f"/servicedesk/proxies/{proxy.pk}/"
    record = client.get(f"/servicedesk/proxies/{proxy.pk}/").content.decode()
    assert AGENT_ID not in record and "13912345678" not in record
    assert proxy.agent_id_number_masked in record and "139****5678" in record
    assert 'data-testid="letter-form"' in record and 'data-testid="take-form"' not in record
    letter = client.post(f"/servicedesk/proxies/{proxy.pk}/letter/", {"photo": photo()})
    assert letter.status_code == 302
    checked = client.post(
        f"/servicedesk/proxies/{proxy.pk}/check/",
        {"resident_method": "id_card", "agent_method": "card_reader"},
    )
    assert checked.status_code == 302
    record = client.get(f"/servicedesk/proxies/{proxy.pk}/").content.decode()
    assert 'data-testid="take-form"' in record and "data-signature-pad" in record
    assert "<script>" not in record and "onclick" not in record
    unsigned = client.post(
        f"/servicedesk/proxies/{proxy.pk}/originals/",
        {"document": "居民户口簿原件", "count": 1, "taken_from": "李建国"},
    )
    assert unsigned.status_code == 400
    assert 'class="message message-error"' in unsigned.content.decode()
    assert not OriginalCustody.objects.filter(proxy__case=case).exists()
    taken = client.post(
        f"/servicedesk/proxies/{proxy.pk}/originals/",
        {
            "document": "居民户口簿原件",
            "count": 1,
            "taken_from": "李建国",
            "signature_drawn": drawn(),
        },
    )
    assert taken.status_code == 302
    line = OriginalCustody.objects.filter(proxy__case=case).get()
    case_page = client.get(f"/servicedesk/cases/{case.pk}/").content.decode()
    assert 'data-testid="proxy-create"' not in case_page and "李建国" in case_page
    returned = client.post(
        f"/servicedesk/proxies/{proxy.pk}/originals/{line.pk}/return/",
        {f"r{line.pk}-returned_to": "周桂兰", f"r{line.pk}-signature_photo": photo("sheet.jpg")},
    )
    assert returned.status_code == 302
    line.refresh_from_db()
    assert line.returned_to == "周桂兰" and line.returned_signature.method == "photo"
    again = client.post(
        f"/servicedesk/proxies/{proxy.pk}/originals/{line.pk}/return/",
        {f"r{line.pk}-returned_to": "李建国", f"r{line.pk}-signature_drawn": drawn()},
    )
    assert again.status_code == 400
    line.refresh_from_db()
    assert line.returned_to == "周桂兰"


def test_the_letter_is_served_decrypted_and_each_view_audited(demo, case, client_for):
    proxy = in_force(demo, case)
    url = f"/servicedesk/proxy-files/{proxy.letter.pk}/"
    before = AuditEvent.objects.filter(action="servicedesk.proxy.file_view").count()
    for who in ("community", "resident"):
        response = client_for(who).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert b"".join(response).startswith(b"\xff\xd8")
        assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="servicedesk.proxy.file_view").count() == before + 2
    for who in ("property", "street", "volunteer", "doctor"):
        assert client_for(who).get(url).status_code == 404
    assert AuditEvent.objects.filter(action="servicedesk.proxy.file_view").count() == before + 2


def test_the_printouts_are_the_desks_and_audited(demo, case, client_for, resident):
    proxy = in_force(demo, case)
    take(demo, proxy)
    client = client_for("secretary")
    for sheet in ("letter", "custody"):
        response = client.get(f"/servicedesk/proxies/{proxy.pk}/print/{sheet}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert AGENT_ID in html  # for signing: the whole number, and so audited
    letter = client.get(f"/servicedesk/proxies/{proxy.pk}/print/letter/").content.decode()
    assert "代办委托书" in letter and "高龄津贴测试" in letter and "李建国" in letter
    custody = client.get(f"/servicedesk/proxies/{proxy.pk}/print/custody/").content.decode()
    assert "居民户口簿原件" in custody
    printed = AuditEvent.objects.filter(action="servicedesk.proxy.print")
    assert printed.count() == 4 and printed.first().details["sheet"] in ("letter", "custody")
    assert client.get(f"/servicedesk/proxies/{proxy.pk}/print/other/").status_code == 404
    assert (
        client_for("resident").get(f"/servicedesk/proxies/{proxy.pk}/print/letter/").status_code
        == 404
    )


def other_compound_desk(demo):
    compound = (
        Place.objects.filter(kind="compound")
        .exclude(path__startswith=demo.zhandong.path)
        .order_by("path")
        .first()
    )
    user = user_create(actor=SYSTEM, username="other-desk", password=None)
    grant_create(actor=SYSTEM, user=user, role="community_worker", place=compound)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "who", ["property", "street", "district", "doctor", "volunteer", "other_desk"]
)
def test_no_one_else_learns_of_a_proxy(demo, case, client_for, who):
    proxy = in_force(demo, case)
    line = take(demo, proxy)
    client = other_compound_desk(demo) if who == "other_desk" else client_for(who)
    for url in (
        f"/servicedesk/proxies/{proxy.pk}/",
        f"/servicedesk/cases/{case.pk}/proxy/",
        f"/servicedesk/proxies/{proxy.pk}/print/letter/",
        f"/servicedesk/proxy-files/{proxy.letter_id}/",
        f"/servicedesk/proxy-files/{line.taken_signature_id}/",
        f"/api/v1/servicedesk/cases/{case.pk}/proxies",
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (f"/servicedesk/proxies/{proxy.pk}/revoke/", {"reason": "x"}),
        (
            f"/servicedesk/proxies/{proxy.pk}/originals/",
            {"document": "x", "taken_from": "y", "signature_drawn": drawn()},
        ),
        (
            f"/servicedesk/proxies/{proxy.pk}/originals/{line.pk}/return/",
            {f"r{line.pk}-returned_to": "x"},
        ),
    ):
        assert client.post(url, data).status_code == 404, url
    assert (
        post(client, f"/api/v1/servicedesk/proxies/{proxy.pk}/revoke", {"reason": "x"}).status_code
        == 404
    )
    proxy.refresh_from_db()
    assert (
        proxy.status == ProxyStatus.ACTIVE
        and OriginalCustody.objects.filter(proxy__case=case).count() == 1
    )


def test_the_resident_sees_their_own_proxy_and_keeps_nothing(demo, case, client_for):
    proxy = in_force(demo, case)
    take(demo, proxy)
    client = client_for("resident")
    page = client.get(f"/servicedesk/cases/{case.pk}/").content.decode()
    assert 'data-testid="proxy-link"' in page and 'data-testid="proxy-create"' not in page
    record = client.get(f"/servicedesk/proxies/{proxy.pk}/")
    html = record.content.decode()
    assert record.status_code == 200 and "居民户口簿原件" in html and AGENT_ID not in html
    assert 'data-testid="take-form"' not in html and 'data-testid="revoke-form"' not in html
    assert 'data-testid="return-form"' not in html
    assert (
        client.post(f"/servicedesk/proxies/{proxy.pk}/revoke/", {"reason": "x"}).status_code == 404
    )


def test_pages_are_read_in_bounded_queries(demo, case, client_for, django_assert_max_num_queries):
    proxy = in_force(demo, case)
    client = client_for("community")
    take(demo, proxy)
    urls = (
        f"/servicedesk/proxies/{proxy.pk}/",
        f"/servicedesk/cases/{case.pk}/",
        f"/servicedesk/proxies/{proxy.pk}/print/custody/",
        f"/api/v1/servicedesk/cases/{case.pk}/proxies",
    )
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[url] = len(queries)
    for n in range(6):
        take(demo, proxy, f"原件{n}")
    for url in urls:
        with django_assert_max_num_queries(counts[url], info=url):
            assert client.get(url).status_code == 200
    assert max(counts.values()) <= 20


# -- API ---------------------------------------------------------------------------------------


def test_the_api_records_every_step_and_masks_the_numbers(demo, case, client_for):
    client = client_for("community")
    base = "/api/v1/servicedesk"
    created = post(
        client,
        f"{base}/cases/{case.pk}/proxies",
        {
            "agent_name": "王秀梅",
            "agent_relation": "neighbour",
            "agent_relation_note": "对门邻居",
            "agent_id_number": AGENT_ID,
            "agent_phone": "13912345678",
            "reason": "elderly",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "pending" and body["letter"] is None
    assert body["agent_id_number"] == AGENT_ID[:6] + "********" + AGENT_ID[-4:]
    assert body["agent_phone"] == "139****5678" and AGENT_ID not in created.content.decode()
    url = f"{base}/proxies/{body['id']}"
    twice = post(
        client,
        f"{base}/cases/{case.pk}/proxies",
        {
            **{k: body[k] for k in ("agent_name", "agent_relation", "reason")},
            "agent_id_number": AGENT_ID,
        },
    )
    assert twice.status_code == 409 and twice.json()["code"] == "proxy_exists"
    early = post(client, f"{url}/check", {"resident_method": "id_card", "agent_method": "id_card"})
    assert early.status_code == 409 and early.json()["code"] == "letter_missing"
    letter = client.post(f"{url}/letter", {"photo": photo()})
    assert letter.status_code == 200, letter.content
    assert (
        letter.json()["letter"]["url"]
        == f"/servicedesk/proxy-files/{letter.json()['letter']['id']}/"
    )
    checked = post(client, f"{url}/check", {"resident_method": "hukou", "agent_method": "id_card"})
    assert checked.status_code == 200 and checked.json()["status"] == "active"
    material = case.materials.get(name="居民户口簿")
    taken = post(
        client,
        f"{url}/originals",
        {
            "document": "居民户口簿原件",
            "taken_from": "王秀梅",
            "material": material.pk,
            "signature_png": drawn(),
        },
    )
    assert taken.status_code == 201, taken.content
    line = taken.json()["originals"][0]
    assert (
        line["in_custody"] and line["material"] == material.pk and taken.json()["in_custody"] == 1
    )
    bad = post(
        client,
        f"{url}/originals",
        {"document": "x", "taken_from": "y", "signature_png": "iVBORnot"},
    )
    assert bad.status_code == 400
    returned = post(
        client,
        f"{url}/originals/{line['id']}/return",
        {"returned_to": "周桂兰", "signature_png": drawn()},
    )
    assert returned.status_code == 200 and returned.json()["in_custody"] == 0
    again = post(
        client,
        f"{url}/originals/{line['id']}/return",
        {"returned_to": "周桂兰", "signature_png": drawn()},
    )
    assert again.status_code == 409 and again.json()["code"] == "returned"
    revoked = post(client, f"{url}/revoke", {"reason": "邻居搬走"})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    listing = client.get(f"{base}/cases/{case.pk}/proxies").json()
    assert [p["id"] for p in listing] == [body["id"]]
    timeline = [e["kind"] for e in client.get(f"{base}/cases/{case.pk}").json()["timeline"]]
    assert timeline[-6:] == [
        "proxy_authorised",
        "proxy_letter",
        "proxy_id_checked",
        "original_taken",
        "original_return",
        "proxy_revoked",
    ]


def test_the_resident_reads_their_own_proxy_by_the_api_and_writes_nothing(demo, case, client_for):
    proxy = in_force(demo, case)
    client = client_for("resident")
    own = client.get(f"/api/v1/servicedesk/proxies/{proxy.pk}")
    assert own.status_code == 200 and own.json()["agent_name"] == "李建国"
    assert AGENT_ID not in own.content.decode()
    assert client.get(f"/api/v1/servicedesk/cases/{case.pk}/proxies").status_code == 200
    refused = post(client, f"/api/v1/servicedesk/proxies/{proxy.pk}/revoke", {"reason": "不要了"})
    assert refused.status_code == 403
    assert ProxyAuthorisation.objects.get(pk=proxy.pk).status == ProxyStatus.ACTIVE


def test_the_demo_has_proxies_for_elderly_residents_living_alone(demo, client_for):
    from linli.servicedesk.demo import demo_proxies

    proxies = list(
        ProxyAuthorisation.objects.filter(case__place=demo.nanguanfang).select_related(
            "case__resident"
        )
    )
    assert len(proxies) == 3
    assert all(p.case.resident.lives_alone and p.case.resident.age >= 70 for p in proxies)
    assert {p.status for p in proxies} == {"pending", "active"}
    held = OriginalCustody.objects.filter(proxy__in=proxies, returned_at__isnull=True)
    assert held.count() == 1 and held.get().proxy.case.status == CaseStatus.ACCEPTED
    done = next(p for p in proxies if p.case.status == CaseStatus.DONE)
    assert done.ended_with_case and not done.originals.filter(returned_at__isnull=True).exists()
    page = client_for("community").get(f"/servicedesk/proxies/{done.pk}/").content.decode()
    assert "ended when the case was closed" in page or "已随办件办结而终止" in page
    answer = client_for("community").get(f"/api/v1/servicedesk/proxies/{done.pk}").json()
    assert answer["ended_with_case"] and answer["status"] == "active"
    assert demo_proxies() == 0  # loading the demo again adds none
