"""Free clinics (义诊): planning, slots and their capacity (also under concurrency), one
registration per person, the clinic-day entry with its follow-ups and refusals, the summary
report's numbers, who may see and do what, and the pages with their query counts."""

import threading
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from linli.accounts.models import User
from linli.accounts.services import user_create
from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError
from linli.core.models import AuditEvent
from linli.health import selectors_clinics, services, services_clinics
from linli.health.models import (
    Alert,
    AlertKind,
    ClinicEvent,
    ClinicStatus,
    FollowUp,
    GlucoseTiming,
    HealthCard,
    Level,
    Reading,
    ReadingKind,
    Registration,
    RegistrationStatus,
    Source,
    Specialty,
)
from linli.places.models import Organisation, Place
from linli.places.services import membership_add
from linli.residents.models import Resident
from tests.conftest import clear_demo_health

NANGUANFANG = "平城区/鹿苑街道/站东社区/南官房小区"
PINGGUOYUAN = "平城区/清远街道/苹果园社区"
STATION = "南官房小区义诊站"
TCM = "登黄堂中医馆"


@pytest.fixture(autouse=True)
def _own_health_records(request):
    """These tests make their own cards: the demo world's health records are set aside (a
    transactional test clears them itself after loading the demo world)."""
    if "demo_world_tx" not in request.fixturenames:
        request.getfixturevalue("without_demo_health")


@pytest.fixture
def client_for(client_for):
    """Signed-in clients that see the English message ids, as the services' tests do."""

    def sign_in(username):
        client = client_for(username)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return sign_in


@pytest.fixture(autouse=True)
def in_english():
    """Messages are checked by their English ids."""
    with translation.override("en"):
        yield


def local(day, hour, minute=0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def tomorrow_at(hour, minute=0) -> datetime:
    return local(timezone.localdate() + timedelta(days=1), hour, minute)


def make_cards(doctor, n: int) -> list[HealthCard]:
    """Cards for the next ``n`` elderly neighbours of Nanguanfang without an account or a
    card."""
    compound = Place.objects.get(name_path=NANGUANFANG)
    residents = Resident.objects.filter(
        place__path__startswith=compound.path,
        birth_date__lt="1960-01-01",
        user__isnull=True,
        health_card__isnull=True,
    ).order_by("pk")[:n]
    return [services.card_create(actor=doctor, resident=r) for r in residents]


def bp(systolic, diastolic):
    return {"kind": ReadingKind.BLOOD_PRESSURE, "systolic": systolic, "diastolic": diastolic}


@pytest.fixture
def doctor(demo):
    return demo.user("doctor")


@pytest.fixture
def station():
    return Organisation.objects.get(name=STATION)


@pytest.fixture
def zhou_card(demo, doctor):
    zhou = Resident.objects.get(user=demo.user("resident"))
    return services.card_create(
        actor=doctor, resident=zhou, conditions="高血压", responsible_worker=demo.user("community")
    )


def plan(doctor, station, demo, **kwargs) -> ClinicEvent:
    values = {
        "actor": doctor,
        "organisation": station,
        "place": demo.nanguanfang,
        "title": "健康体检义诊",
        "specialty": Specialty.GENERAL,
        "start": tomorrow_at(9),
        "end": tomorrow_at(10),
        "slot_minutes": 30,
        "per_slot": 2,
        "venue": "党支部服务中心·义诊站",
    }
    values.update(kwargs)
    return services_clinics.clinic_create(**values)


@pytest.fixture
def clinic(doctor, station, demo):
    """Tomorrow 09:00–10:00, two slots of two places."""
    return plan(doctor, station, demo)


@pytest.fixture
def today_clinic(doctor, station, demo):
    """A clinic running now (planned two hours ago), so that the day's pages can enter."""
    now = timezone.now()
    start = (now - timedelta(minutes=30)).replace(second=0, microsecond=0)
    return plan(
        doctor,
        station,
        demo,
        start=start,
        end=start + timedelta(hours=2),
        per_slot=4,
        now=now - timedelta(hours=2),
    )


# -- planning ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_clinic_is_planned_with_its_slots(clinic):
    assert clinic.status == ClinicStatus.PLANNED
    assert selectors_clinics.clinic_slots(clinic) == [
        (tomorrow_at(9), 0, 2),
        (tomorrow_at(9, 30), 0, 2),
    ]
    assert selectors_clinics.clinic_capacity(clinic) == 4
    assert AuditEvent.objects.filter(action="health.clinic.create", object_id=str(clinic.pk))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"end": tomorrow_at(8)}, "end", "The clinic must end after it starts."),
        ({"end": tomorrow_at(9)}, "end", "The clinic must end after it starts."),
        ({"end": tomorrow_at(23)}, "end", "A clinic lasts at most 12 hours."),
        (
            {"start": timezone.now() - timedelta(hours=1)},
            "start",
            "A clinic cannot be planned in the past.",
        ),
        ({"specialty": "astrology"}, "specialty", "Choose the clinic's specialty."),
    ],
)
def test_a_clinic_must_make_sense(doctor, station, demo, change, field, message):
    if "start" in change:
        change["end"] = change["start"] + timedelta(hours=1)
    with pytest.raises(ValidationError) as exc:
        plan(doctor, station, demo, **change)
    assert exc.value.message_dict[field] == [message]


@pytest.mark.django_db
def test_a_clinic_is_held_at_a_community_or_compound_not_in_a_home(doctor, station, demo):
    with pytest.raises(ValidationError) as exc:
        plan(doctor, station, demo, place=demo.resident_household)
    assert "place" in exc.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["property", "district", "street", "resident", "eldercare"])
def test_who_is_no_clinic_runner_cannot_plan(demo, station, username):
    with pytest.raises(ForbiddenError):
        plan(demo.user(username), station, demo)


@pytest.fixture
def tcm_member(db):
    """A doctor of 登黄堂中医馆: a member of the organisation, with no grant."""
    user = user_create(actor=SYSTEM, username="tcm_member", password=None, full_name="郝医生")
    membership_add(
        actor=SYSTEM, user=user, organisation=Organisation.objects.get(name=TCM), title="中医师"
    )
    return user


@pytest.mark.django_db
def test_a_member_of_the_organisation_runs_its_own_clinic(demo, tcm_member, station):
    tcm = Organisation.objects.get(name=TCM)
    pingguoyuan = demo.place(PINGGUOYUAN)
    event = plan(tcm_member, tcm, demo, place=pingguoyuan, specialty=Specialty.TCM)
    assert tcm_member.has_perm("health.run_clinic", event)
    # …but not a clinic another organisation runs, outside any grant of theirs
    other = plan(demo.user("doctor"), station, demo)
    assert not tcm_member.has_perm("health.run_clinic", other)
    with pytest.raises(ForbiddenError):
        plan(tcm_member, station, demo)


# -- registrations and capacity ----------------------------------------------------------------


@pytest.mark.django_db
def test_registrations_fill_the_first_free_slot_and_never_exceed_it(clinic, doctor):
    cards = make_cards(doctor, 5)
    slots = []
    for card in cards[:4]:
        slots.append(
            services_clinics.registration_create(actor=doctor, event=clinic, card=card).slot_start
        )
    assert slots == [tomorrow_at(9)] * 2 + [tomorrow_at(9, 30)] * 2
    with pytest.raises(ConflictError) as exc:
        services_clinics.registration_create(actor=doctor, event=clinic, card=cards[4])
    assert exc.value.code == "clinic_full"
    assert exc.value.message == "This clinic is fully booked."
    assert selectors_clinics.clinic_slots(clinic) == [
        (tomorrow_at(9), 2, 0),
        (tomorrow_at(9, 30), 2, 0),
    ]


@pytest.mark.django_db
def test_a_full_slot_is_refused_and_a_slot_must_be_one_of_the_clinics(clinic, doctor):
    cards = make_cards(doctor, 3)
    for card in cards[:2]:
        services_clinics.registration_create(
            actor=doctor, event=clinic, card=card, slot_start=tomorrow_at(9)
        )
    with pytest.raises(ConflictError) as exc:
        services_clinics.registration_create(
            actor=doctor, event=clinic, card=cards[2], slot_start=tomorrow_at(9)
        )
    assert exc.value.code == "slot_full"
    assert exc.value.message.startswith("The slot at 09:00 is full")
    with pytest.raises(ValidationError) as exc:
        services_clinics.registration_create(
            actor=doctor, event=clinic, card=cards[2], slot_start=tomorrow_at(9, 10)
        )
    assert exc.value.message_dict == {"slot_start": ["Choose one of the clinic's slots."]}


@pytest.mark.django_db
def test_one_registration_per_person_and_a_cancelled_one_is_taken_up_again(clinic, doctor):
    card = make_cards(doctor, 1)[0]
    first = services_clinics.registration_create(
        actor=doctor, event=clinic, card=card, complaint="头晕"
    )
    with pytest.raises(ConflictError) as exc:
        services_clinics.registration_create(actor=doctor, event=clinic, card=card)
    assert exc.value.code == "already_registered"
    services_clinics.registration_cancel(actor=doctor, registration=first)
    assert selectors_clinics.clinic_slots(clinic)[0][1] == 0
    again = services_clinics.registration_create(
        actor=doctor, event=clinic, card=card, slot_start=tomorrow_at(9, 30)
    )
    assert again.pk == first.pk and again.status == RegistrationStatus.REGISTERED
    assert Registration.objects.filter(event=clinic, card=card).count() == 1


@pytest.mark.django_db
def test_a_resident_registers_themself_but_nobody_else(clinic, demo, doctor, zhou_card):
    resident = demo.user("resident")
    registration = services_clinics.registration_create(
        actor=resident, event=clinic, card=zhou_card, complaint="量血压"
    )
    assert registration.registered_by == resident and registration.complaint == "量血压"
    other = make_cards(doctor, 1)[0]
    with pytest.raises(ForbiddenError):
        services_clinics.registration_create(actor=resident, event=clinic, card=other)
    services_clinics.registration_cancel(actor=resident, registration=registration)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


@pytest.mark.django_db
def test_nobody_registers_for_a_held_or_past_clinic(today_clinic, doctor, zhou_card, demo):
    services_clinics.clinic_close(actor=doctor, event=today_clinic)
    with pytest.raises(ConflictError) as exc:
        services_clinics.registration_create(actor=doctor, event=today_clinic, card=zhou_card)
    assert exc.value.code == "not_planned"


@pytest.mark.django_db
def test_a_resident_chooses_a_slot_not_yet_begun(today_clinic, demo, zhou_card):
    # the clinic began half an hour ago: its first slot is over for a resident
    registration = services_clinics.registration_create(
        actor=demo.user("resident"), event=today_clinic, card=zhou_card
    )
    assert registration.slot_start > timezone.now()


# -- the clinic day ----------------------------------------------------------------------------


@pytest.fixture
def registered(clinic, doctor):
    cards = make_cards(doctor, 4)
    return [services_clinics.registration_create(actor=doctor, event=clinic, card=c) for c in cards]


def on_the_day(clinic):
    return clinic.start + timedelta(minutes=10)


@pytest.mark.django_db
def test_a_visit_with_a_raised_pressure_raises_a_follow_up(clinic, registered, doctor):
    registration = registered[0]
    services_clinics.clinic_visit_record(
        actor=doctor,
        registration=registration,
        readings=[
            bp(152, 94),
            {"kind": ReadingKind.GLUCOSE, "glucose": "5.2", "glucose_timing": "fasting"},
        ],
        advice="低盐饮食，两周后复测。",
        now=on_the_day(clinic),
    )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.SEEN
    assert registration.advice == "低盐饮食，两周后复测。"
    assert registration.seen_by == doctor
    readings = Reading.objects.filter(registration=registration).order_by("kind")
    assert [(r.kind, r.level, r.source) for r in readings] == [
        (ReadingKind.BLOOD_PRESSURE, Level.RAISED, Source.FREE_CLINIC),
        (ReadingKind.GLUCOSE, Level.NORMAL, Source.FREE_CLINIC),
    ]
    follow_up = FollowUp.objects.get(card=registration.card)
    assert follow_up.reason == Level.RAISED and follow_up.reading.registration == registration
    # the advice is kept encrypted: not in the table as typed
    with connection.cursor() as cursor:
        cursor.execute("SELECT advice FROM health_registration WHERE id = %s", [registration.pk])
        assert "低盐" not in cursor.fetchone()[0]


@pytest.mark.django_db
def test_an_urgent_pressure_at_the_clinic_raises_an_alert(clinic, registered, doctor):
    services_clinics.clinic_visit_record(
        actor=doctor, registration=registered[0], readings=[bp(186, 112)], now=on_the_day(clinic)
    )
    assert Alert.objects.get(card=registered[0].card).kind == AlertKind.URGENT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("readings", "field"),
    [
        ([bp(400, 90)], "systolic"),
        ([bp(120, 130)], "diastolic"),
        ([{"kind": ReadingKind.GLUCOSE, "glucose": "88", "glucose_timing": "fasting"}], "glucose"),
        ([{"kind": ReadingKind.WEIGHT, "weight_kg": "5"}], "weight_kg"),
        ([bp(130, 80), {"kind": ReadingKind.HEIGHT, "height_cm": "400"}], "height_cm"),
    ],
)
def test_an_impossible_value_refuses_the_whole_entry(clinic, registered, doctor, readings, field):
    registration = registered[0]
    with pytest.raises(ValidationError) as exc:
        services_clinics.clinic_visit_record(
            actor=doctor,
            registration=registration,
            readings=readings,
            advice="x",
            now=on_the_day(clinic),
        )
    assert field in exc.value.message_dict
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED and registration.advice == ""
    assert not Reading.objects.filter(registration=registration).exists()


@pytest.mark.django_db
def test_a_visit_needs_something_and_the_day_of_the_clinic(clinic, registered, doctor):
    with pytest.raises(ValidationError) as exc:
        services_clinics.clinic_visit_record(
            actor=doctor, registration=registered[0], readings=[], now=on_the_day(clinic)
        )
    assert exc.value.message_dict == {"advice": ["Enter at least one reading or the advice given."]}
    with pytest.raises(ConflictError) as exc:
        services_clinics.clinic_visit_record(
            actor=doctor, registration=registered[0], readings=[bp(120, 80)]
        )
    assert exc.value.code == "not_started"


@pytest.mark.django_db
def test_no_show_only_once_the_slot_began_and_closing_marks_the_rest(clinic, registered, doctor):
    with pytest.raises(ConflictError):
        services_clinics.registration_no_show(actor=doctor, registration=registered[0])
    services_clinics.registration_no_show(
        actor=doctor, registration=registered[0], now=on_the_day(clinic)
    )
    services_clinics.clinic_visit_record(
        actor=doctor, registration=registered[1], readings=[bp(120, 80)], now=on_the_day(clinic)
    )
    services_clinics.clinic_close(actor=doctor, event=clinic, now=clinic.end)
    statuses = list(
        Registration.objects.filter(event=clinic).order_by("pk").values_list("status", flat=True)
    )
    assert statuses == ["no_show", "seen", "no_show", "no_show"]
    clinic.refresh_from_db()
    assert clinic.status == ClinicStatus.HELD
    with pytest.raises(ConflictError) as exc:
        services_clinics.clinic_visit_record(
            actor=doctor, registration=registered[2], readings=[bp(120, 80)], now=clinic.end
        )
    assert exc.value.code == "not_planned"


@pytest.mark.django_db
def test_the_summary_counts_exactly(clinic, doctor):
    cards = make_cards(doctor, 4)
    regs = [services_clinics.registration_create(actor=doctor, event=clinic, card=c) for c in cards]
    day = on_the_day(clinic)
    services_clinics.clinic_visit_record(
        actor=doctor,
        registration=regs[0],
        readings=[
            bp(150, 92),
            {"kind": ReadingKind.GLUCOSE, "glucose": "6.5", "glucose_timing": "fasting"},
            {"kind": ReadingKind.HEIGHT, "height_cm": "160"},
            {"kind": ReadingKind.WEIGHT, "weight_kg": "64"},
        ],
        now=day,
    )
    services_clinics.clinic_visit_record(
        actor=doctor,
        registration=regs[1],
        readings=[
            bp(190, 100),
            {"kind": ReadingKind.GLUCOSE, "glucose": "3.2", "glucose_timing": "random"},
        ],
        now=day,
    )
    services_clinics.registration_cancel(actor=doctor, registration=regs[3])
    services_clinics.clinic_close(actor=doctor, event=clinic, now=clinic.end)
    with CaptureQueriesContext(connection) as queries:
        summary = selectors_clinics.clinic_summary(clinic)
    assert len(queries) <= 5
    assert {k: summary[k] for k in ("registered", "seen", "no_shows", "waiting", "cancelled")} == {
        "registered": 3,
        "seen": 2,
        "no_shows": 1,
        "waiting": 0,
        "cancelled": 1,
    }
    assert summary["readings"] == 6
    assert summary["by_kind"] == {
        ReadingKind.BLOOD_PRESSURE: {Level.RAISED: 1, Level.URGENT: 1},
        ReadingKind.GLUCOSE: {Level.IMPAIRED: 1, Level.DANGEROUS: 1},
        ReadingKind.HEIGHT: {Level.NORMAL: 1},
        ReadingKind.WEIGHT: {Level.NORMAL: 1},
    }
    assert summary["abnormal_findings"] == 4
    assert summary["urgent_findings"] == 2
    assert summary["people_with_findings"] == 2
    assert summary["follow_ups"] == 2  # raised and impaired (urgent and dangerous: alerts)
    assert summary["alerts"] == 2
    bmi = Reading.objects.get(registration=regs[0], kind=ReadingKind.WEIGHT).bmi
    assert bmi == Decimal("25.0")


# -- concurrency -------------------------------------------------------------------------------

THREADS = 10


@pytest.mark.django_db(transaction=True)
def test_ten_registrations_for_the_last_place_of_a_slot_give_one(demo_world_tx):
    clear_demo_health()
    doctor = User.objects.get(username="doctor")
    station = Organisation.objects.get(name=STATION)
    compound = Place.objects.get(name_path=NANGUANFANG)
    event = services_clinics.clinic_create(
        actor=doctor,
        organisation=station,
        place=compound,
        title="并发测试",
        specialty=Specialty.GENERAL,
        start=tomorrow_at(9),
        end=tomorrow_at(10),
        per_slot=2,
    )
    cards = make_cards(doctor, THREADS + 1)
    services_clinics.registration_create(
        actor=doctor, event=event, card=cards[0], slot_start=event.start
    )
    barrier = threading.Barrier(THREADS)
    outcomes: list[tuple[str, str]] = []
    lock = threading.Lock()

    def register(card_id):
        translation.activate("en")
        try:
            user = User.objects.get(username="doctor")
            card = HealthCard.objects.get(pk=card_id)
            barrier.wait(timeout=30)
            services_clinics.registration_create(
                actor=user, event=event, card=card, slot_start=event.start
            )
            outcome = ("ok", "")
        except ConflictError as exc:
            outcome = (exc.code, exc.message)
        except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
            outcome = ("error", repr(exc))
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=register, args=(c.pk,)) for c in cards[1:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(outcomes) == THREADS
    assert [code for code, _m in outcomes].count("ok") == 1, outcomes
    refusals = [message for code, message in outcomes if code == "slot_full"]
    assert len(refusals) == THREADS - 1, outcomes
    assert all(m.startswith("The slot at 09:00 is full") for m in refusals)
    assert Registration.objects.filter(event=event, slot_start=event.start).count() == 2


# -- who sees what -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_user_of_the_district_sees_the_clinic_only_runners_its_people(
    clinic, registered, demo, doctor, tcm_member
):
    for username in ["resident", "property", "district", "patrol", "volunteer", "eldercare"]:
        user = demo.user(username)
        assert selectors_clinics.clinic_get(user=user, pk=clinic.pk) == clinic
        assert not user.has_perm("health.run_clinic", clinic)
        assert not selectors_clinics.registration_list(user=user, event=clinic).exists()
    assert doctor.has_perm("health.run_clinic", clinic)
    assert selectors_clinics.registration_list(user=doctor, event=clinic).count() == 4
    # a member of another organisation with no grant in the district sees nothing of it
    assert not selectors_clinics.clinic_list(user=tcm_member).filter(pk=clinic.pk).exists()


@pytest.mark.django_db
def test_the_clinic_list_splits_upcoming_and_past(clinic, today_clinic, demo, doctor):
    held = plan(
        doctor,
        Organisation.objects.get(name=STATION),
        demo,
        start=tomorrow_at(14) - timedelta(days=10),
        end=tomorrow_at(15) - timedelta(days=10),
        now=timezone.now() - timedelta(days=20),
    )
    resident = demo.user("resident")
    upcoming = list(selectors_clinics.clinic_list(user=resident, upcoming=True))
    assert upcoming == [today_clinic, clinic]
    assert list(selectors_clinics.clinic_list(user=resident, upcoming=False)) == [held]
    assert selectors_clinics.clinic_free_places(upcoming[1]) == 4


# -- pages -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_page_shows_clinics_with_free_places(client_for, clinic):
    response = client_for("resident").get(reverse("health:clinic-list"))
    assert response.status_code == 200
    assert "健康体检义诊" in response.content.decode()
    assert 'data-testid="free">4<' in response.content.decode()
    assert 'data-testid="new-clinic"' not in response.content.decode()
    assert (
        'data-testid="new-clinic"'
        in client_for("doctor").get(reverse("health:clinic-list")).content.decode()
    )


@pytest.mark.django_db
def test_a_resident_registers_on_the_page_and_sees_no_one_else(
    client_for, clinic, registered, zhou_card, doctor
):
    services_clinics.registration_cancel(actor=doctor, registration=registered[3])  # one place free
    client = client_for("resident")
    url = reverse("health:clinic-detail", args=[clinic.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="register"' in page
    assert registered[0].card.resident.name not in page
    response = client.post(
        reverse("health:clinic-action", args=[clinic.pk]),
        {"action": "register", "slot_start": "", "complaint": "量血压"},
        follow=True,
    )
    page = response.content.decode()
    assert 'data-testid="mine"' in page
    assert Registration.objects.get(card=zhou_card).complaint == "量血压"
    # nobody else's name, complaint or advice
    for other in registered:
        assert other.card.resident.name not in page
    for name in ("day", "report"):
        assert client.get(reverse(f"health:clinic-{name}", args=[clinic.pk])).status_code == 404


@pytest.mark.django_db
def test_a_resident_without_a_card_is_sent_to_the_station(client_for, clinic):
    page = client_for("resident").get(reverse("health:clinic-detail", args=[clinic.pk]))
    assert 'data-testid="no-card"' in page.content.decode()


@pytest.mark.django_db
def test_runners_see_the_registrations_by_slot_and_register_someone(
    client_for, clinic, registered, doctor
):
    client = client_for("doctor")
    page = client.get(reverse("health:clinic-detail", args=[clinic.pk])).content.decode()
    for registration in registered:
        assert registration.card.resident.name in page
    assert AuditEvent.objects.filter(action="health.clinic.read", object_id=str(clinic.pk))
    # the clinic is full: the form refuses and says so
    extra = make_cards(doctor, 1)[0]
    response = client.post(
        reverse("health:clinic-action", args=[clinic.pk]),
        {"action": "register_staff", "card": str(extra.pk), "slot_start": ""},
    )
    assert response.status_code == 200
    assert "This clinic is fully booked." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["property", "district", "resident", "eldercare"])
def test_non_runners_get_no_day_page_report_or_new_clinic(client_for, clinic, username):
    client = client_for(username)
    for name in ("clinic-day", "clinic-report"):
        assert client.get(reverse(f"health:{name}", args=[clinic.pk])).status_code == 404
    assert client.get(reverse("health:clinic-create")).status_code == 404


@pytest.mark.django_db
def test_the_new_clinic_page_plans_one(client_for, station, demo):
    client = client_for("doctor")
    assert client.get(reverse("health:clinic-create")).status_code == 200
    day = timezone.localdate() + timedelta(days=7)
    response = client.post(
        reverse("health:clinic-create"),
        {
            "organisation": str(station.pk),
            "place": str(demo.nanguanfang.pk),
            "title": "秋季义诊",
            "specialty": "general",
            "day": day.isoformat(),
            "start_time": "09:00",
            "end_time": "11:00",
            "slot_minutes": "30",
            "per_slot": "4",
            "venue": "义诊站",
            "description": "",
        },
    )
    event = ClinicEvent.objects.get(title="秋季义诊")
    assert response.status_code == 302
    assert response["Location"] == reverse("health:clinic-detail", args=[event.pk])
    assert len(selectors_clinics.clinic_slots(event)) == 4
    # the end before the start comes back with the message, what was typed kept
    response = client.post(
        reverse("health:clinic-create"),
        {
            "organisation": str(station.pk),
            "place": str(demo.nanguanfang.pk),
            "title": "错的义诊",
            "specialty": "general",
            "day": day.isoformat(),
            "start_time": "11:00",
            "end_time": "09:00",
            "slot_minutes": "30",
            "per_slot": "4",
        },
    )
    assert response.status_code == 200
    assert "The clinic must end after it starts." in response.content.decode()
    assert "错的义诊" in response.content.decode()


@pytest.fixture
def day_people(today_clinic, doctor):
    cards = make_cards(doctor, 3)
    return [
        services_clinics.registration_create(
            actor=doctor, event=today_clinic, card=c, now=timezone.now() - timedelta(hours=1)
        )
        for c in cards
    ]


def visit_post(registration, **values):
    data = {"registration": str(registration.pk), "action": "visit"}
    data.update({f"r{registration.pk}-{k}": v for k, v in values.items()})
    return data


@pytest.mark.django_db
def test_the_clinic_day_page_saves_one_person_at_a_time(client_for, today_clinic, day_people):
    client = client_for("doctor")
    url = reverse("health:clinic-day", args=[today_clinic.pk])
    page = client.get(url).content.decode()
    assert page.count('data-testid="visit"') == 3
    first = day_people[0]
    response = client.post(
        url,
        visit_post(
            first,
            systolic="148",
            diastolic="88",
            pulse="76",
            glucose="7.4",
            glucose_timing=GlucoseTiming.FASTING,
            weight_kg="",
            height_cm="",
            advice="控制饮食，复查血糖。",
        ),
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#r{first.pk}")
    first.refresh_from_db()
    assert first.status == RegistrationStatus.SEEN and first.advice == "控制饮食，复查血糖。"
    levels = set(Reading.objects.filter(registration=first).values_list("level", flat=True))
    assert levels == {Level.RAISED, Level.DIABETIC}
    assert FollowUp.objects.filter(card=first.card).count() == 2
    page = client.get(url).content.decode()
    assert "148/88 mmHg" in page and "控制饮食，复查血糖。" in page


@pytest.mark.django_db
def test_an_impossible_value_comes_back_with_the_message_and_the_input(
    client_for, today_clinic, day_people
):
    client = client_for("doctor")
    url = reverse("health:clinic-day", args=[today_clinic.pk])
    person = day_people[1]
    response = client.post(
        url, visit_post(person, systolic="1400", diastolic="90", advice="多喝水")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "1400 mmHg cannot be right" in page
    assert 'value="1400"' in page and "多喝水" in page
    person.refresh_from_db()
    assert person.status == RegistrationStatus.REGISTERED
    assert not Reading.objects.filter(registration=person).exists()


@pytest.mark.django_db
def test_the_day_page_marks_a_no_show(client_for, today_clinic, day_people):
    client = client_for("doctor")
    url = reverse("health:clinic-day", args=[today_clinic.pk])
    person = day_people[2]
    response = client.post(url, {"registration": str(person.pk), "action": "no_show"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == RegistrationStatus.NO_SHOW


@pytest.mark.django_db
def test_a_registration_of_another_clinic_is_not_found(client_for, today_clinic, registered):
    response = client_for("doctor").post(
        reverse("health:clinic-day", args=[today_clinic.pk]),
        {"registration": str(registered[0].pk), "action": "no_show"},
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_report_page_shows_the_numbers(client_for, today_clinic, day_people, doctor):
    services_clinics.clinic_visit_record(
        actor=doctor, registration=day_people[0], readings=[bp(150, 95)], advice="复测"
    )
    response = client_for("doctor").get(reverse("health:clinic-report", args=[today_clinic.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="seen">1<' in page
    assert 'data-testid="abnormal">1<' in page
    assert 'data-testid="follow-ups">1<' in page
    assert 'data-testid="print"' in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["clinic-day", "clinic-report", "clinic-detail"])
def test_pages_issue_a_bounded_number_of_queries(client_for, today_clinic, doctor, name):
    client = client_for("doctor")
    url = reverse(f"health:{name}", args=[today_clinic.pk])
    cards = make_cards(doctor, 8)
    before = timezone.now() - timedelta(hours=1)

    def add(cards_to_add):
        for card in cards_to_add:
            registration = services_clinics.registration_create(
                actor=doctor, event=today_clinic, card=card, now=before
            )
            services_clinics.clinic_visit_record(
                actor=doctor,
                registration=registration,
                readings=[bp(150, 95), {"kind": ReadingKind.WEIGHT, "weight_kg": "60"}],
                advice="复测",
            )

    add(cards[:2])
    few = _queries(client, url)
    add(cards[2:])
    many = _queries(client, url)
    assert many == few, (few, many)
    assert many <= 25


@pytest.mark.django_db
def test_runners_register_someone_on_the_page(client_for, clinic, doctor):
    card = make_cards(doctor, 1)[0]
    response = client_for("doctor").post(
        reverse("health:clinic-action", args=[clinic.pk]),
        {"action": "register_staff", "card": str(card.pk), "slot_start": "", "complaint": "牙疼"},
    )
    assert response.status_code == 302
    registration = Registration.objects.get(event=clinic, card=card)
    assert registration.slot_start == tomorrow_at(9) and registration.complaint == "牙疼"


@pytest.mark.django_db
def test_a_resident_cancels_on_the_page(client_for, clinic, zhou_card, demo):
    registration = services_clinics.registration_create(
        actor=demo.user("resident"), event=clinic, card=zhou_card
    )
    response = client_for("resident").post(
        reverse("health:clinic-action", args=[clinic.pk]),
        {"action": "cancel", "registration": str(registration.pk)},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


@pytest.mark.django_db
def test_a_resident_cannot_cancel_someone_elses(client_for, clinic, registered):
    response = client_for("resident").post(
        reverse("health:clinic-action", args=[clinic.pk]),
        {"action": "cancel", "registration": str(registered[0].pk)},
    )
    assert response.status_code == 404
    registered[0].refresh_from_db()
    assert registered[0].status == RegistrationStatus.REGISTERED


@pytest.mark.django_db
def test_malformed_posts_change_nothing(client_for, clinic):
    client = client_for("doctor")
    action = reverse("health:clinic-action", args=[clinic.pk])
    assert client.post(action, {"action": "cancel", "registration": "x"}).status_code == 404
    assert client.post(action, {"action": "cancel", "registration": "9" * 30}).status_code == 404
    assert client.post(action, {"action": "explode"}).status_code == 302
    day = reverse("health:clinic-day", args=[clinic.pk])
    assert client.post(day, {"registration": "-1", "action": "visit"}).status_code == 404
    assert client.get(reverse("health:clinic-detail", args=[10**20])).status_code == 404


@pytest.mark.django_db
def test_free_clinics_are_in_everyones_navigation(client_for):
    from linli.core.navigation import NAV_ENTRIES
    from linli.health.views_clinics import register_clinic_nav

    register_clinic_nav()  # again: registered once only
    assert [e.url_name for e in NAV_ENTRIES].count("health:clinic-list") == 1
    page = client_for("patrol").get(reverse("core:home")).content.decode()
    assert reverse("health:clinic-list") in page


@pytest.mark.django_db
def test_runners_see_the_clinics_timeline_from_its_log_and_residents_do_not(
    client_for, clinic, zhou_card
):
    runner = client_for("doctor").get(reverse("health:clinic-detail", args=[clinic.pk]))
    page = runner.content.decode()
    timeline = page[page.index('data-testid="timeline"') :]
    assert "clinic planned" in timeline
    resident = client_for("resident").get(reverse("health:clinic-detail", args=[clinic.pk]))
    assert 'data-testid="timeline"' not in resident.content.decode()
