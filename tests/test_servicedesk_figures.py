"""The service desk's figures (issue 15 item 7): matters handled per matter, channel, worker
and month, consultations beside them, the 12345 calls the desk saved beside the compound's
12345 transfers, the page, its workbook, and who may read them. The figures are checked
against an independent count of the cases the test made."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from linli.accounts.services import grant_create, user_create
from linli.core.models import AuditEvent
from linli.places.models import Place
from linli.servicedesk import services
from linli.servicedesk.figures import desk_figures
from linli.servicedesk.models import Case, CaseChannel, CaseEvent, Consultation, MatterKind
from linli.workorders.models import Category, Channel, WorkOrder
from linli.workorders.services import order_file
from tests.factories import id_number, make_resident
from tests.test_servicedesk_cases import spec

pytestmark = pytest.mark.django_db

# A year the demo world has no cases in: the figures of the test's period are the test's.
YEAR = 2019
START, END = date(YEAR, 1, 1), date(YEAR, 12, 31)
ZONE = timezone.get_default_timezone()


def at(month, day, hour=10):
    return datetime(YEAR, month, day, hour, tzinfo=ZONE)


def move(case, **fields):
    """Put a case made now at the dates of the test's year (its events too)."""
    Case.objects.filter(pk=case.pk).update(**fields)
    CaseEvent.objects.filter(case=case).update(at=fields.get("created_at"))


def finish(demo, case, *, forward=False, refuse=False, who="community"):
    for line in case.materials.all():
        services.case_material_mark(
            actor=demo.user(who), case=case, material_id=line.pk, received=True
        )
    services.case_take_step(actor=demo.user(who), case=case, step="accept")
    if forward:
        services.case_take_step(
            actor=demo.user(who), case=case, step="forward", department="区医保局"
        )
    if refuse:
        services.case_take_step(
            actor=demo.user(who), case=case, step="refuse", reason="收入超过标准"
        )
    else:
        services.case_take_step(actor=demo.user(who), case=case, step="approve")
    return services.case_take_step(actor=demo.user(who), case=case, step="finish")


@pytest.fixture
def world(demo):
    """Two matters, cases across the year at Nanguanfang, consultations and 12345 transfers."""
    street = demo.user("street")
    dibao = services.matter_create(
        actor=street, place=demo.luyuan, kind=MatterKind.BENEFIT, spec=spec(name="测试低保")
    )
    proof = services.matter_create(
        actor=street,
        place=demo.luyuan,
        kind=MatterKind.PUBLIC_SERVICE,
        spec=spec(name="测试居住证明", situations=[], materials=[]),
    )
    residents = [
        make_resident(demo.user("community"), demo.resident_household, name=f"统计居民{i}")
        for i in range(3)
    ]
    plan = [
        # matter, month handled (None: still open), forwarded, refused, channel, 12345
        (dibao, 1, True, False, CaseChannel.COUNTER, True),
        (dibao, 1, False, True, CaseChannel.PHONE, False),
        (dibao, 3, True, False, CaseChannel.HOME_VISIT, False),
        (proof, 3, False, False, CaseChannel.COUNTER, True),
        (proof, 11, False, False, CaseChannel.ONLINE, False),
        (proof, None, False, False, CaseChannel.COUNTER, True),
    ]
    cases = []
    for index, (matter, month, forward, refuse, channel, hotline) in enumerate(plan):
        case = services.case_open(
            actor=demo.user("community"),
            resident=residents[index % 3],
            matter=matter,
            channel=channel,
            would_call_12345=hotline,
        )
        if index == 0:  # handled for its elderly resident by a neighbour (代办)
            services.proxy_authorise(
                actor=demo.user("community"),
                case=case,
                agent_name="邻居张师傅",
                agent_relation="neighbour",
                agent_id_number=id_number(birth=date(1975, 5, 5)),
                reason="elderly",
            )
        opened = at(month or 12, 2)
        if month is not None:
            finish(demo, case, forward=forward, refuse=refuse)
            move(case, created_at=opened, accepted_at=opened, done_at=at(month, 20))
            if forward:
                Case.objects.filter(pk=case.pk).update(forwarded_at=at(month, 5))
        else:
            move(case, created_at=opened)
        cases.append(case)
    # A case handled the year after is not the test year's.
    late = services.case_open(actor=demo.user("community"), resident=residents[0], matter=proof)
    finish(demo, late)
    move(
        late,
        created_at=at(12, 30),
        accepted_at=at(12, 30),
        done_at=datetime(YEAR + 1, 1, 3, tzinfo=ZONE),
    )
    for month, hotline in ((1, True), (2, False), (2, True)):
        services.consultation_record(
            actor=demo.user("community"),
            resident=residents[0],
            matter=dibao,
            question="低保怎么申请？",
            answer="带户口簿和收入证明来社区。",
            minutes=8,
            would_call_12345=hotline,
            answered_at=at(month, 9),
        )
    light = Category.objects.get(code="corridor-light")
    for month in (1, 1, 4):
        order = order_file(
            actor=demo.user("community"),
            category=light,
            place=demo.resident_household,
            title="12345转办：楼道灯不亮",
            channel=Channel.HOTLINE,
            external_ticket=f"T{month}{WorkOrder.objects.count()}",
        )
        WorkOrder.objects.filter(pk=order.pk).update(created_at=at(month, 15))
    return {"dibao": dibao, "proof": proof, "cases": cases}


def counted(queryset, field):
    """An independent count: rows whose ``field`` falls in the test's year, read in Python."""
    return sum(
        1
        for value in queryset.values_list(field, flat=True)
        if value is not None and START <= timezone.localtime(value).date() <= END
    )


def test_the_figures_match_an_independent_count_of_the_cases(demo, world):
    figures = desk_figures(user=demo.user("community"), start=START, end=END)
    nanguanfang = Case.objects.filter(place=demo.nanguanfang)
    handled = counted(nanguanfang, "done_at")
    assert handled == 5
    assert figures.total.handled == handled
    assert figures.total.accepted == counted(nanguanfang, "accepted_at")
    assert figures.total.consultations == counted(
        Consultation.objects.filter(place=demo.nanguanfang), "answered_at"
    )
    assert (figures.total.forwarded, figures.total.refused, figures.total.proxied) == (2, 1, 1)

    by_matter = {row.key: row for row in figures.by_matter}
    dibao, proof = world["dibao"].pk, world["proof"].pk
    assert (by_matter[dibao].handled, by_matter[dibao].forwarded, by_matter[dibao].refused) == (
        3,
        2,
        1,
    )
    assert by_matter[dibao].consultations == 3
    assert by_matter[dibao].proxied == 1 and by_matter[proof].proxied == 0
    assert by_matter[proof].handled == 2
    assert "测试低保" in by_matter[dibao].label

    by_channel = {row.key: row.handled for row in figures.by_channel}
    assert by_channel == {
        CaseChannel.COUNTER: 2,
        CaseChannel.PHONE: 1,
        CaseChannel.HOME_VISIT: 1,
        CaseChannel.ONLINE: 1,
    }
    worker = demo.user("community")
    assert [(row.key, row.handled) for row in figures.by_worker] == [(worker.pk, 5)]

    months = {m.month: m for m in figures.by_month}
    assert len(months) == 12
    assert (months[date(YEAR, 1, 1)].handled, months[date(YEAR, 3, 1)].handled) == (2, 2)
    assert months[date(YEAR, 12, 1)].opened == 2  # the open one and the late one
    assert months[date(YEAR, 12, 1)].handled == 0
    assert [months[date(YEAR, m, 1)].hotline for m in (1, 2, 4)] == [2, 0, 1]
    assert [months[date(YEAR, m, 1)].consultations for m in (1, 2)] == [1, 2]

    [compound] = figures.by_compound
    assert compound.place == demo.nanguanfang
    # Flagged cases opened in the year (3) and consultations (2), beside 3 transfers.
    assert (compound.cases, compound.consultations, compound.hotline) == (3, 2, 3)


def test_a_period_outside_the_cases_counts_nothing(demo, world):
    figures = desk_figures(
        user=demo.user("community"), start=date(YEAR - 1, 1, 1), end=date(YEAR - 1, 12, 31)
    )
    assert figures.total.handled == figures.total.consultations == 0
    assert figures.by_compound == []


def test_the_figures_cover_only_the_readers_places(demo, world):
    street = desk_figures(user=demo.user("street"), start=START, end=END)
    assert street.total.handled == 5
    # A desk elsewhere reads its own place only: none of Nanguanfang's cases.
    other = (
        Place.objects.filter(kind="compound").exclude(path__startswith=demo.zhandong.path).first()
    )
    assert other is not None
    worker = user_create(
        actor=demo.user("district"), username="elsewhere-desk", password="x-long-password-1"
    )
    grant_create(
        actor=demo.user("district"),
        user=worker,
        role="community_worker",
        place=other,
    )
    assert desk_figures(user=worker, start=START, end=END).total.handled == 0


def test_the_page_shows_the_figures_in_bounded_queries(
    demo, world, client_for, django_assert_max_num_queries
):
    client = client_for("community")
    with django_assert_max_num_queries(40):
        response = client.get(
            "/servicedesk/figures/", {"start": START.isoformat(), "end": END.isoformat()}
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="total-handled">5<' in html
    assert 'data-testid="total-consultations">3<' in html
    assert html.count('data-testid="by-month-row"') == 12


def test_a_bad_period_says_so_and_shows_the_last_twelve_months(demo, client_for):
    response = client_for("community").get(
        "/servicedesk/figures/", {"start": "2020-05-01", "end": "2020-01-01"}
    )
    assert response.status_code == 200
    assert "message-error" in response.content.decode()
    response = client_for("community").get("/servicedesk/figures/", {"start": "x", "end": "y"})
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["resident", "property"])
def test_those_without_the_desks_figures_get_404(demo, client_for, who):
    assert client_for(who).get("/servicedesk/figures/").status_code == 404
    assert client_for(who).get("/servicedesk/figures/export.xlsx").status_code == 404


def test_a_place_outside_the_readers_figures_is_404(demo, client_for):
    outside = demo.place("平城区/清远街道")
    response = client_for("community").get("/servicedesk/figures/", {"place": outside.pk})
    assert response.status_code == 404
    assert client_for("community").get("/servicedesk/figures/", {"place": "x"}).status_code == 404


def test_the_workbook_holds_the_same_figures_and_the_export_is_audited(demo, world, client_for):
    response = client_for("community").get(
        "/servicedesk/figures/export.xlsx", {"start": START.isoformat(), "end": END.isoformat()}
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    first = book.worksheets[0]
    rows = list(first.iter_rows(values_only=True))
    assert rows[1][2] == 5  # the "all" line: handled
    by_month = book.worksheets[3]
    months = {row[0]: row for row in by_month.iter_rows(min_row=2, values_only=True)}
    assert months[f"{YEAR}-01"][2] == 2 and months[f"{YEAR}-01"][4] == 2
    hotline = list(book.worksheets[4].iter_rows(min_row=2, values_only=True))
    assert [row[1:] for row in hotline] == [(3, 2, 3)]
    entry = AuditEvent.objects.filter(action="servicedesk.figures.export").latest("id")
    assert entry.details["start"] == START.isoformat()


def test_default_period_is_the_last_twelve_months(demo, client_for):
    response = client_for("community").get("/servicedesk/figures/")
    today = timezone.localdate()
    html = response.content.decode()
    assert html.count('data-testid="by-month-row"') == 12
    assert f'data-month="{today:%Y-%m}"' in html
    assert f'data-month="{(today.replace(day=1) - timedelta(days=1)):%Y-%m}"' in html


def test_the_api_gives_the_figures_the_page_shows(demo, world, client_for):
    client = client_for("community")
    response = client.get(
        "/api/v1/servicedesk/figures", {"start": START.isoformat(), "end": END.isoformat()}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"]["handled"] == 5 and body["total"]["proxied"] == 1
    assert body["total"]["consultations"] == 3
    dibao = next(r for r in body["by_matter"] if r["key"] == str(world["dibao"].pk))
    assert (dibao["handled"], dibao["forwarded"], dibao["refused"]) == (3, 2, 1)
    assert len(body["by_month"]) == 12 and body["by_month"][0]["month"] == f"{YEAR}-01"
    assert body["by_compound"][0]["place"]["id"] == demo.nanguanfang.pk
    assert body["by_compound"][0]["hotline"] == 3


def test_the_api_refuses_a_bad_period_and_hides_from_others(demo, client_for):
    client = client_for("community")
    bad = client.get("/api/v1/servicedesk/figures", {"start": "2020-05-01", "end": "2020-01-01"})
    assert bad.status_code == 422
    long = client.get("/api/v1/servicedesk/figures", {"start": "2020-01-01", "end": "2024-01-01"})
    assert long.status_code == 422
    outside = demo.place("平城区/清远街道")
    assert client.get("/api/v1/servicedesk/figures", {"place": outside.pk}).status_code == 404
    for who in ("resident", "property"):
        assert client_for(who).get("/api/v1/servicedesk/figures").status_code == 404
