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
from django.utils import timezone
from PIL import Image, ImageDraw

from linli.core.errors import ConflictError, ForbiddenError
from linli.core.lifecycle import field_values
from linli.core.models import AuditEvent
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
    assert not ProxyAuthorisation.objects.exists()
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
    assert not ProxyAuthorisation.objects.exists()


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
    assert not ProxyFile.objects.exists()
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
        not OriginalCustody.objects.exists()
        and not ProxyFile.objects.exclude(kind="letter").exists()
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
