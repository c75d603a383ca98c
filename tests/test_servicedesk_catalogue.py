"""The service desk's catalogue of matters (issue 15, item 1): public pages ("what do I need
to bring?") and API, versions that keep what they asked for, and who may keep it."""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from linli.accounts.services import grant_create, user_create
from linli.core.actors import SYSTEM
from linli.core.errors import ForbiddenError
from linli.servicedesk import services
from linli.servicedesk.models import Material, Matter, MatterKind, MatterVersion
from linli.servicedesk.services import MaterialSpec, VersionSpec

pytestmark = pytest.mark.django_db
DISABLED = "家中有残疾人"
STUDENT = "家中有在校学生"


def spec(*, income_proof=True, promised=20, statutory=30, **extra) -> VersionSpec:
    materials = [
        MaterialSpec("测试申请书", "original", 1, "现场填写"),
        MaterialSpec("户口簿", "both", 2),
        MaterialSpec("残疾人证", "both", 1, situations=[DISABLED]),
        MaterialSpec("在校证明", "original", 1, situations=[STUDENT]),
    ]
    if income_proof:
        materials.append(MaterialSpec("收入证明", "original", 1))
    return VersionSpec(
        **{
            "name": "测试救助事项",
            "department": "测试民政局",
            "implementing_body": "测试街道办事处",
            "legal_basis": "《社会救助暂行办法》",
            "promised_days": promised,
            "statutory_days": statutory,
            "situations": [DISABLED, STUDENT],
            "materials": materials,
            **extra,
        }
    )


@pytest.fixture
def matter(demo):
    return services.matter_create(
        actor=demo.user("street"), place=demo.luyuan, kind=MatterKind.BENEFIT, spec=spec()
    )


def names(response, testid="material-name") -> list[str]:
    html = response.content.decode()
    marker = f'data-testid="{testid}">'
    return [part.split("<", 1)[0] for part in html.split(marker)[1:]]


def test_anyone_reads_what_to_bring_without_an_account(matter):
    anonymous = Client()
    listing = anonymous.get("/servicedesk/matters/", {"q": "测试救助"})
    assert listing.status_code == 200
    assert f"/servicedesk/matters/{matter.code}/" in listing.content.decode()
    page = anonymous.get(f"/servicedesk/matters/{matter.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "测试救助事项" in html and "测试民政局" in html and "《社会救助暂行办法》" in html
    # everyone's materials, then each situation's
    assert names(page) == ["测试申请书", "户口簿", "收入证明", "残疾人证", "在校证明"]
    assert "20" in html.split('data-testid="promised"')[1].split("</dd>")[0]
    assert "30" in html.split('data-testid="statutory"')[1].split("</span>")[0]


def test_a_situation_shows_exactly_what_it_needs(matter):
    version = matter.current
    disabled = version.situations.get(name=DISABLED)
    page = Client().get(f"/servicedesk/matters/{matter.code}/", {"situation": disabled.pk})
    assert names(page) == ["测试申请书", "户口簿", "收入证明", "残疾人证"]
    other = Client().get(f"/servicedesk/matters/{matter.code}/", {"situation": "99999999"})
    assert other.status_code == 404
    assert (
        Client().get(f"/servicedesk/matters/{matter.code}/", {"situation": "x"}).status_code == 404
    )


def test_a_revision_is_a_new_version_and_the_old_one_keeps_its_checklist(demo, matter):
    first = matter.current
    before = list(first.materials.values_list("name", "form", "copies", "note"))
    services.matter_revise(
        actor=demo.user("street"),
        matter=matter,
        spec=spec(income_proof=False, promised=15),
        change_note="不再要求收入证明",
    )
    matter.refresh_from_db()
    assert matter.current.number == 2 and matter.current.promised_days == 15
    assert list(first.materials.values_list("name", "form", "copies", "note")) == before
    current = Client().get(f"/servicedesk/matters/{matter.code}/")
    assert "收入证明" not in names(current)
    assert 'data-testid="history"' in current.content.decode()
    old = Client().get(f"/servicedesk/matters/{matter.code}/", {"version": 1})
    assert "收入证明" in names(old) and 'data-testid="old-version"' in old.content.decode()
    assert Client().get(f"/servicedesk/matters/{matter.code}/", {"version": 3}).status_code == 404
    api = Client()
    api.force_login(demo.user("resident"))
    body = api.get(f"/api/v1/servicedesk/matters/{matter.pk}", {"version": 1}).json()
    assert body["number"] == 1 and body["current"] is False
    assert "收入证明" in [m["name"] for m in body["materials"]]
    assert [v["number"] for v in body["versions"]] == [2, 1]
    found = api.get("/api/v1/servicedesk/matters", {"code": matter.code}).json()
    assert [m["id"] for m in found["items"]] == [matter.pk] and found["items"][0]["version"] == 2
    now = api.get(f"/api/v1/servicedesk/matters/{matter.pk}").json()
    assert now["number"] == 2 and now["current"] is True and now["promised_days"] == 15
    disabled = next(s["id"] for s in now["situations"] if s["name"] == DISABLED)
    assert [m["name"] for m in now["materials"] if disabled in m["situations"]] == ["残疾人证"]


def test_a_revision_needs_a_note_and_a_bad_one_changes_nothing(demo, matter):
    street = demo.user("street")
    with pytest.raises(ValidationError) as refused:
        services.matter_revise(actor=street, matter=matter, spec=spec(), change_note=" ")
    assert "change_note" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.matter_revise(
            actor=street, matter=matter, spec=spec(promised=40), change_note="延长"
        )
    assert "promised_days" in refused.value.message_dict
    bad = spec()
    bad.materials.append(MaterialSpec("证明", situations=["没有这种情形"]))
    with pytest.raises(ValidationError) as refused:
        services.matter_revise(actor=street, matter=matter, spec=bad, change_note="加证明")
    assert "没有这种情形" in str(refused.value)
    matter.refresh_from_db()
    assert matter.current.number == 1 and MatterVersion.objects.filter(matter=matter).count() == 1
    assert not Material.objects.filter(name="证明").exists()


def test_codes_follow_the_catalogue_prefix_kind_and_number(demo, matter, settings):
    prefix = f"{demo.luyuan.code}-JF-"
    assert matter.code.startswith(prefix) and len(matter.code) == len(prefix) + 4
    second = services.matter_create(
        actor=demo.user("street"), place=demo.luyuan, kind=MatterKind.BENEFIT, spec=spec()
    )
    assert int(second.code[-4:]) == int(matter.code[-4:]) + 1
    settings.LINLI_MATTER_CODE_PREFIX = "11140213MB0000000X"
    third = services.matter_create(
        actor=demo.user("street"), place=demo.luyuan, kind=MatterKind.LICENSING, spec=spec()
    )
    assert third.code == "11140213MB0000000X-XK-0001"
    with pytest.raises(ValidationError):
        services.matter_create(
            actor=demo.user("street"),
            place=demo.luyuan,
            kind=MatterKind.BENEFIT,
            spec=spec(),
            code="低保-1",
        )


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("street", True),
        ("district", True),
        ("community", False),
        ("secretary", False),
        ("resident", False),
        ("property", False),
    ],
)
def test_who_keeps_the_catalogue(demo, username, allowed):
    user = demo.user(username)
    if allowed:
        matter = services.matter_create(
            actor=user, place=demo.luyuan, kind=MatterKind.BENEFIT, spec=spec()
        )
        assert matter.current.published_by == user
    else:
        with pytest.raises(ForbiddenError):
            services.matter_create(
                actor=user, place=demo.luyuan, kind=MatterKind.BENEFIT, spec=spec()
            )
        assert not Matter.objects.filter(current__name="测试救助事项").exists()


def test_another_streets_admin_may_not_change_this_catalogue(demo, matter):
    other = user_create(actor=SYSTEM, username="qingyuan-admin", password=None)
    grant_create(actor=SYSTEM, user=other, role="street_admin", place=demo.place("平城区/清远街道"))
    with pytest.raises(ForbiddenError):
        services.matter_revise(actor=other, matter=matter, spec=spec(), change_note="改")
    with pytest.raises(ForbiddenError):
        services.matter_set_listed(actor=other, matter=matter, listed=False)


def test_a_matter_taken_out_is_seen_only_by_those_who_keep_it(demo, matter, client_for):
    services.matter_set_listed(actor=demo.user("street"), matter=matter, listed=False)
    url = f"/servicedesk/matters/{matter.code}/"
    assert Client().get(url).status_code == 404
    resident = client_for("resident")
    assert resident.get(url).status_code == 404
    assert resident.get(f"/api/v1/servicedesk/matters/{matter.pk}").status_code == 404
    assert matter.code not in resident.get("/servicedesk/matters/").content.decode()
    street = client_for("street")
    assert street.get(url).status_code == 200
    assert matter.code in street.get("/servicedesk/matters/", {"unlisted": "1"}).content.decode()
    # a resident asking for the unlisted view sees the catalogue, not what was taken out
    assert (
        matter.code not in resident.get("/servicedesk/matters/", {"unlisted": "1"}).content.decode()
    )


def test_the_page_says_by_when_across_national_day(demo, monkeypatch):
    matter = services.matter_create(
        actor=demo.user("street"),
        place=demo.luyuan,
        kind=MatterKind.BENEFIT,
        spec=spec(promised=5, statutory=10),
    )
    # Tuesday 29 September 2026: 1–7 October are off, Saturday 10 October is worked
    accepted = datetime(2026, 9, 29, 10, 0, tzinfo=timezone.get_default_timezone())
    monkeypatch.setattr(timezone, "now", lambda: accepted)
    html = Client().get(f"/servicedesk/matters/{matter.code}/").content.decode()
    assert "2026-10-12" in html.split('data-testid="done-by"')[1].split("</small>")[0]


def test_malformed_codes_and_filters_answer_404_or_422_never_500(matter, client_for):
    anonymous = Client()
    assert anonymous.get("/servicedesk/matters/nope/").status_code == 404
    assert (
        anonymous.get(f"/servicedesk/matters/{matter.code}/", {"version": "0x1"}).status_code == 404
    )
    assert anonymous.get("/servicedesk/matters/", {"kind": "ZZ", "page": "x"}).status_code == 200
    api = client_for("resident")
    assert api.get("/api/v1/servicedesk/matters/nope").status_code == 422
    assert api.get("/api/v1/servicedesk/matters", {"kind": "ZZ"}).status_code == 422
    assert api.get(f"/api/v1/servicedesk/matters/{matter.pk}", {"version": 0}).status_code == 422


def test_the_catalogue_pages_take_a_bounded_number_of_queries(
    demo, matter, django_assert_max_num_queries
):
    for _n in range(5):
        services.matter_create(
            actor=demo.user("street"), place=demo.luyuan, kind=MatterKind.BENEFIT, spec=spec()
        )
    anonymous = Client()
    with django_assert_max_num_queries(6):
        assert anonymous.get("/servicedesk/matters/").status_code == 200
    with django_assert_max_num_queries(10):
        assert anonymous.get(f"/servicedesk/matters/{matter.code}/").status_code == 200


# -- keeping the catalogue through its pages -------------------------------------------------


def form_data(**extra) -> dict:
    data = {
        "name": "页面新增事项",
        "department": "测试民政局",
        "implementing_body": "测试街道办事处",
        "legal_basis": "《测试条例》",
        "promised_days": "10",
        "statutory_days": "20",
        "handling": "forward",
        "situations_text": f"{DISABLED}\n{STUDENT}",
        "materials-TOTAL_FORMS": "3",
        "materials-INITIAL_FORMS": "0",
        "materials-0-name": "申请书",
        "materials-0-form": "original",
        "materials-0-copies": "1",
        "materials-1-name": "残疾人证",
        "materials-1-form": "both",
        "materials-1-copies": "2",
        "materials-1-situations": DISABLED,
        "materials-2-name": "",
        "materials-2-form": "copy",
        "materials-2-copies": "1",
    }
    data.update(extra)
    return data


def test_the_street_adds_a_matter_through_its_page(demo, client_for):
    street = client_for("street")
    form = street.get("/servicedesk/matters/new/")
    assert (
        form.status_code == 200 and form.content.decode().count('data-testid="material-row"') == 3
    )
    response = street.post(
        "/servicedesk/matters/new/",
        form_data(place=str(demo.luyuan.pk), kind=MatterKind.BENEFIT),
    )
    assert response.status_code == 302
    matter = Matter.objects.get(current__name="页面新增事项")
    assert response["Location"] == f"/servicedesk/matters/{matter.code}/"
    version = matter.current
    assert [m.name for m in version.materials.all()] == ["申请书", "残疾人证"]
    disabled = version.materials.get(name="残疾人证")
    assert [s.name for s in disabled.situations.all()] == [DISABLED] and disabled.copies == 2


def test_a_refused_form_keeps_everything_typed_and_saves_nothing(demo, client_for):
    street = client_for("street")
    data = form_data(
        place=str(demo.luyuan.pk), kind=MatterKind.BENEFIT, **{"materials-1-situations": "无此情形"}
    )
    response = street.post("/servicedesk/matters/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "无此情形" in html and "页面新增事项" in html and "申请书" in html
    assert not Matter.objects.filter(current__name="页面新增事项").exists()
    longer = street.post(
        "/servicedesk/matters/new/",
        form_data(place=str(demo.luyuan.pk), kind=MatterKind.BENEFIT, promised_days="30"),
    )
    assert longer.status_code == 200 and "法定时限" in longer.content.decode()
    assert not Matter.objects.filter(current__name="页面新增事项").exists()
    more = street.post(
        "/servicedesk/matters/new/",
        form_data(place=str(demo.luyuan.pk), kind=MatterKind.BENEFIT, more="1"),
    )
    assert more.content.decode().count('data-testid="material-row"') == 6
    assert "残疾人证" in more.content.decode()
    assert not Matter.objects.filter(current__name="页面新增事项").exists()


def test_a_new_version_through_the_page_starts_from_the_one_in_force(demo, matter, client_for):
    street = client_for("street")
    page = street.get(f"/servicedesk/matters/{matter.code}/revise/")
    assert page.status_code == 200 and "收入证明" in page.content.decode()
    refused = street.post(f"/servicedesk/matters/{matter.code}/revise/", form_data())
    assert refused.status_code == 200  # no note of what changed
    matter.refresh_from_db()
    assert matter.current.number == 1
    done = street.post(
        f"/servicedesk/matters/{matter.code}/revise/", form_data(change_note="精简材料")
    )
    assert done.status_code == 302
    matter.refresh_from_db()
    assert matter.current.number == 2 and matter.current.change_note == "精简材料"
    assert "收入证明" in [m.name for m in matter.versions.get(number=1).materials.all()]


@pytest.mark.parametrize("username", ["community", "secretary", "resident", "property", "doctor"])
def test_the_editing_pages_answer_404_to_those_who_do_not_keep_it(matter, client_for, username):
    client = client_for(username)
    assert client.get("/servicedesk/matters/new/").status_code == 404
    assert client.get(f"/servicedesk/matters/{matter.code}/revise/").status_code == 404
    assert (
        client.post(f"/servicedesk/matters/{matter.code}/listing/", {"listed": "0"}).status_code
        == 404
    )
    matter.refresh_from_db()
    assert matter.is_active


def test_taking_a_matter_out_and_back_through_its_page(demo, matter, client_for):
    street = client_for("street")
    street.post(f"/servicedesk/matters/{matter.code}/listing/", {"listed": "0"})
    matter.refresh_from_db()
    assert not matter.is_active
    assert Client().get(f"/servicedesk/matters/{matter.code}/").status_code == 404
    street.post(f"/servicedesk/matters/{matter.code}/listing/", {"listed": "1"})
    matter.refresh_from_db()
    assert matter.is_active


def test_someone_without_an_account_finds_the_guide_from_the_sign_in_page(db):
    page = Client().get("/accounts/login/").content.decode()
    assert 'data-testid="without-account"' in page
    links = page.split('data-testid="without-account"')[1].split("</p>")[0]
    assert "/servicedesk/matters/" in links
    # nothing else is offered to a visitor: only what anyone may open
    assert page.count('data-testid="public-link"') == 1
