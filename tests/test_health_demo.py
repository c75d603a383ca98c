"""Health help in the demo world: Nanguanfang's cards with a year of readings, follow-ups,
alerts, consents and home devices; the four free clinics of the seed, held, with their people
and findings; an upcoming clinic with slots taken. (The session's demo world does not load
health yet, so each test runs the health demo itself, inside its rolled-back transaction.)"""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from linli.health import selectors_clinics
from linli.health.demo import SEED_CLINICS, demo_health
from linli.health.models import (
    Alert,
    AlertKind,
    CheckIn,
    ClinicEvent,
    ClinicStatus,
    Consent,
    Device,
    DeviceKind,
    FollowUp,
    FollowUpStatus,
    HealthCard,
    Level,
    Reading,
    ReadingKind,
    RegistrationStatus,
    Source,
    Specialty,
)
from linli.places import tree
from linli.residents.models import Resident

pytestmark = pytest.mark.django_db

NANGUANFANG = "平城区/鹿苑街道/站东社区/南官房小区"


@pytest.fixture
def made(db):
    """The demo world (loaded once for the session) holds the health demo: the number of
    cards it made."""
    return HealthCard.objects.count()


@pytest.fixture
def nanguanfang_cards(made, demo):
    return HealthCard.objects.filter(tree.subtree_q(demo.nanguanfang.path, "place__path"))


def test_cards_for_nanguanfangs_elderly_and_those_seen_at_the_clinics(made, nanguanfang_cards):
    assert made == HealthCard.objects.count()
    assert 40 <= nanguanfang_cards.count() <= 60
    today = timezone.localdate()
    for card in nanguanfang_cards.select_related("resident"):
        resident = card.resident
        assert resident.age >= 70 or (resident.lives_alone and resident.age >= 65)
        assert card.family_doctor.username == "doctor"
        assert card.responsible_worker.username == "community"
        assert card.emergency_name and card.emergency_phone
        assert card.created_at.date() < today - timedelta(days=360)
    zhou = Resident.objects.get(user__username="resident")
    card = HealthCard.objects.get(resident=zhou)
    assert "高血压" in card.conditions and "青霉素过敏" in card.allergies
    assert card.emergency_name == "李振华"  # her husband, from the register
    assert nanguanfang_cards.exclude(medications="").exists()


def test_a_year_of_readings_with_every_kind_of_finding(nanguanfang_cards):
    readings = Reading.objects.filter(card__in=nanguanfang_cards)
    first = readings.order_by("taken_at").first().taken_at
    assert timezone.now() - first > timedelta(days=330)
    levels = set(readings.values_list("level", flat=True))
    assert {Level.RAISED, Level.URGENT, Level.IMPAIRED, Level.DIABETIC, Level.DANGEROUS} <= levels
    assert set(readings.values_list("kind", flat=True)) == set(ReadingKind.values)
    # readings are dated when they were taken, not when the demo was loaded
    assert not readings.exclude(created_at=F("taken_at")).exists()


def test_follow_ups_mostly_done_some_open_one_overdue(nanguanfang_cards):
    follow_ups = FollowUp.objects.filter(card__in=nanguanfang_cards)
    done = follow_ups.filter(status=FollowUpStatus.DONE)
    open_ = follow_ups.filter(status=FollowUpStatus.OPEN)
    assert done.count() > open_.count() > 0
    assert all(f.outcome for f in done)
    assert open_.filter(due_on__lt=timezone.localdate()).exists()


def test_alerts_were_taken_care_of_except_the_current_ones(nanguanfang_cards):
    alerts = Alert.objects.filter(card__in=nanguanfang_cards)
    acknowledged = alerts.filter(acknowledged_at__isnull=False)
    assert acknowledged.filter(kind=AlertKind.DANGEROUS).exists()
    # the home monitor's urgent reading was taken care of
    assert acknowledged.filter(kind=AlertKind.URGENT, reading__source=Source.DEVICE).exists()
    assert all(a.note for a in acknowledged)
    still_open = alerts.filter(acknowledged_at__isnull=True)
    assert set(still_open.values_list("kind", flat=True)) == {
        AlertKind.URGENT,
        AlertKind.NO_CONTACT,
    }
    urgent = still_open.get(kind=AlertKind.URGENT)
    assert timezone.now() - urgent.raised_at < timedelta(days=7)


def test_consents_to_the_elder_care_station_one_withdrawn(nanguanfang_cards):
    consents = Consent.objects.filter(card__in=nanguanfang_cards)
    assert consents.count() >= 5
    assert consents.filter(organisation__name="大同助老社区助老站").count() == consents.count()
    assert consents.filter(withdrawn_at__isnull=False).count() == 1


def test_two_home_devices_one_gone_quiet(nanguanfang_cards):
    devices = Device.objects.filter(card__in=nanguanfang_cards).select_related("card__resident")
    assert {d.kind for d in devices} == {DeviceKind.BP_MONITOR, DeviceKind.WATCH}
    monitor = devices.get(kind=DeviceKind.BP_MONITOR)
    assert monitor.card.resident.name == "周桂兰"
    weekly = Reading.objects.filter(device=monitor, source=Source.DEVICE)
    assert weekly.count() == 12
    watch = devices.get(kind=DeviceKind.WATCH)
    assert watch.card.resident.lives_alone
    last = CheckIn.objects.filter(device=watch).order_by("-at").first().at
    assert timedelta(days=4) < timezone.now() - last < timedelta(days=7)
    alert = Alert.objects.get(kind=AlertKind.NO_CONTACT, acknowledged_at__isnull=True)
    assert alert.card == watch.card


def test_the_four_seed_clinics_were_held_with_their_people_and_findings(made):
    held = ClinicEvent.objects.filter(status=ClinicStatus.HELD).select_related(
        "organisation", "place"
    )
    assert held.count() == 4
    by_org = {e.organisation.name: e for e in held}
    assert {spec["organisation"] for spec in SEED_CLINICS} == set(by_org)
    tcm = by_org["登黄堂中医馆"]
    assert tcm.title == "弘扬中医药文化科普健康知识" and tcm.specialty == Specialty.TCM
    assert tcm.place.name == "苹果园社区"
    assert by_org["文博苑社区卫生服务站"].specialty == Specialty.EYE
    assert by_org["文兴社区卫生服务站"].specialty == Specialty.DENTAL
    assert by_org["御河九号社区卫生服务站"].specialty == Specialty.DENTAL
    for event in held:
        assert event.end < timezone.now()
        summary = selectors_clinics.clinic_summary(event)
        assert summary["seen"] >= 5 and summary["no_shows"] >= 1 and summary["cancelled"] == 1
        assert summary["readings"] >= summary["seen"]
        assert summary["follow_ups"] <= summary["abnormal_findings"]
        seen = event.registrations.filter(status=RegistrationStatus.SEEN)
        assert all(r.advice for r in seen)
        # the people seen live in a small compound of the clinic's community
        for registration in seen.select_related("card__place"):
            assert registration.card.place.path.startswith(event.place.path)
    kinds = Reading.objects.filter(registration__event=tcm).values_list("kind", flat=True)
    assert set(kinds) == {ReadingKind.BLOOD_PRESSURE, ReadingKind.GLUCOSE}
    assert FollowUp.objects.filter(reading__registration__event__in=held).exists()


def test_an_upcoming_clinic_at_nanguanfang_with_slots_taken(made, demo):
    event = ClinicEvent.objects.get(status=ClinicStatus.PLANNED)
    assert event.organisation.name == "南官房小区义诊站"
    assert event.place.path.startswith(demo.nanguanfang.path)
    assert event.start > timezone.now()
    slots = selectors_clinics.clinic_slots(event)
    assert slots[0][2] == 0 and slots[-1][1] == 0  # the first full, the last free
    registered = event.registrations.values("card__resident__user__username")
    assert {"card__resident__user__username": "resident"} in list(registered)


def test_the_clinics_communities_have_small_compounds_of_residents(made):
    for spec in SEED_CLINICS:
        name, _en = spec["compound"]
        count = Resident.objects.filter(place__name_path__contains=f"/{name}/").count()
        assert 15 <= count <= 40, (name, count)


def test_loading_again_adds_nothing(made, demo):
    counts = (HealthCard.objects.count(), Reading.objects.count(), ClinicEvent.objects.count())
    assert demo_health(demo.nanguanfang) == 0
    assert counts == (
        HealthCard.objects.count(),
        Reading.objects.count(),
        ClinicEvent.objects.count(),
    )
