"""Health help, the foundation: classification at every boundary, impossible values refused,
follow-ups and alerts (whose messages carry no health detail), consent to the elder-care
station given and withdrawn, who may see a card for every demo user, the audit of every read
and the resident's "who looked", encryption at rest checked in the raw database, devices,
check-ins and the no-contact watch."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone, translation

from linli.core.actors import SYSTEM
from linli.core.errors import ConflictError, ForbiddenError, LinliError
from linli.core.models import AuditEvent, Notification
from linli.core.periodic import registered_jobs
from linli.health import classify, selectors, services
from linli.health.models import (
    Alert,
    AlertKind,
    CardEvent,
    CardEventKind,
    ClinicEvent,
    Consent,
    ConsentScope,
    FollowUp,
    FollowUpStatus,
    GlucoseTiming,
    HealthCard,
    Level,
    Reading,
    ReadingKind,
    Registration,
    Source,
)
from linli.places.models import Organisation
from linli.residents.models import Resident

from .factories import make_resident

SH = ZoneInfo("Asia/Shanghai")
ELDER_CARE = "大同助老社区助老站"
SECRET = {
    "conditions": "高血压XQ7ZCOND",
    "medications": "氨氯地平XQ7ZMED",
    "allergies": "青霉素XQ7ZALLERGY",
    "notes": "独居XQ7ZNOTE",
}
DEMO_USERS = [
    "admin",
    "district",
    "street",
    "community",
    "secretary",
    "property",
    "resident",
    "doctor",
    "patrol",
    "inspector",
    "volunteer",
    "eldercare",
]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_health_records(request):
    """These tests make their own cards: the demo world's health records are set aside (a
    transactional test clears them itself after loading the demo world)."""
    if "demo_world_tx" not in request.fixturenames:
        request.getfixturevalue("without_demo_health")


@pytest.fixture(autouse=True)
def in_english():
    """Messages are checked by their English ids."""
    with translation.override("en"):
        yield


@pytest.fixture
def zhou(demo):
    """周桂兰, the demo resident with an account."""
    return Resident.objects.get(user=demo.user("resident"))


@pytest.fixture
def card(demo, zhou):
    return services.card_create(
        actor=demo.user("doctor"),
        resident=zhou,
        responsible_worker=demo.user("community"),
        emergency_name="周明",
        emergency_relation="儿子",
        emergency_phone="139 0352 9999",
        **SECRET,
    )


@pytest.fixture
def elder_care():
    return Organisation.objects.get(name=ELDER_CARE)


def bp(actor, card, systolic, diastolic, **kwargs):
    kwargs.setdefault("source", Source.CLINIC)
    return services.reading_record(
        actor=actor,
        card=card,
        kind=ReadingKind.BLOOD_PRESSURE,
        systolic=systolic,
        diastolic=diastolic,
        **kwargs,
    )


# -- classification ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("systolic", "diastolic", "level"),
    [
        (139, 89, Level.NORMAL),
        (140, 89, Level.RAISED),
        (139, 90, Level.RAISED),
        (140, 90, Level.RAISED),
        (179, 109, Level.RAISED),
        (180, 109, Level.URGENT),
        (179, 110, Level.URGENT),
        (180, 110, Level.URGENT),
        (90, 60, Level.NORMAL),
    ],
)
def test_blood_pressure_levels_at_every_boundary(systolic, diastolic, level):
    assert classify.blood_pressure(systolic, diastolic) == level


@pytest.mark.parametrize(
    ("value", "timing", "level"),
    [
        ("3.9", GlucoseTiming.FASTING, Level.DANGEROUS),
        ("4.0", GlucoseTiming.FASTING, Level.NORMAL),
        ("6.0", GlucoseTiming.FASTING, Level.NORMAL),
        ("6.1", GlucoseTiming.FASTING, Level.IMPAIRED),
        ("6.9", GlucoseTiming.FASTING, Level.IMPAIRED),
        ("7.0", GlucoseTiming.FASTING, Level.DIABETIC),
        ("16.6", GlucoseTiming.FASTING, Level.DIABETIC),
        ("16.7", GlucoseTiming.FASTING, Level.DANGEROUS),
        # two hours after a meal
        ("3.9", GlucoseTiming.AFTER_MEAL, Level.DANGEROUS),
        ("4.0", GlucoseTiming.AFTER_MEAL, Level.NORMAL),
        ("7.7", GlucoseTiming.AFTER_MEAL, Level.NORMAL),
        ("7.8", GlucoseTiming.AFTER_MEAL, Level.IMPAIRED),
        ("11.0", GlucoseTiming.AFTER_MEAL, Level.IMPAIRED),
        ("11.1", GlucoseTiming.AFTER_MEAL, Level.DIABETIC),
        ("16.6", GlucoseTiming.AFTER_MEAL, Level.DIABETIC),
        ("16.7", GlucoseTiming.AFTER_MEAL, Level.DANGEROUS),
        # random
        ("3.9", GlucoseTiming.RANDOM, Level.DANGEROUS),
        ("4.0", GlucoseTiming.RANDOM, Level.NORMAL),
        ("7.8", GlucoseTiming.RANDOM, Level.NORMAL),
        ("11.0", GlucoseTiming.RANDOM, Level.NORMAL),
        ("11.1", GlucoseTiming.RANDOM, Level.DIABETIC),
        ("16.7", GlucoseTiming.RANDOM, Level.DANGEROUS),
        # rounded half up to 0.1 before comparing
        ("6.95", GlucoseTiming.FASTING, Level.DIABETIC),
        ("6.94", GlucoseTiming.FASTING, Level.IMPAIRED),
        ("6.05", GlucoseTiming.FASTING, Level.IMPAIRED),
        ("3.95", GlucoseTiming.FASTING, Level.NORMAL),
        ("3.94", GlucoseTiming.FASTING, Level.DANGEROUS),
        ("16.65", GlucoseTiming.FASTING, Level.DANGEROUS),
    ],
)
def test_glucose_levels_at_every_boundary(value, timing, level):
    assert classify.glucose(Decimal(value), timing) == level


def test_glucose_is_rounded_when_entered(demo, card):
    assert classify.tenth("6.95") == Decimal("7.0")
    reading = services.reading_record(
        actor=demo.user("doctor"),
        card=card,
        kind=ReadingKind.GLUCOSE,
        source=Source.CLINIC,
        glucose="6.95",
        glucose_timing=GlucoseTiming.FASTING,
    )
    reading.refresh_from_db()
    assert reading.glucose == Decimal("7.0")
    assert reading.level == Level.DIABETIC


# -- impossible values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "values", "field", "words"),
    [
        ("blood_pressure", {"systolic": 20, "diastolic": 10}, "systolic", "cannot be right"),
        ("blood_pressure", {"systolic": 400, "diastolic": 80}, "systolic", "cannot be right"),
        ("blood_pressure", {"systolic": 120, "diastolic": 120}, "diastolic", "lower than"),
        ("blood_pressure", {"systolic": 120, "diastolic": 130}, "diastolic", "lower than"),
        ("blood_pressure", {"systolic": 120, "diastolic": 80, "pulse": 300}, "pulse", "cannot"),
        ("blood_pressure", {"systolic": "abc", "diastolic": 80}, "systolic", "not a number"),
        ("blood_pressure", {"systolic": "120.5", "diastolic": 80}, "systolic", "whole number"),
        ("blood_pressure", {"systolic": 120}, "diastolic", "needed"),
        ("glucose", {"glucose": "0.3", "glucose_timing": "fasting"}, "glucose", "cannot be"),
        ("glucose", {"glucose": 60, "glucose_timing": "fasting"}, "glucose", "cannot be right"),
        ("glucose", {"glucose": "5.5"}, "glucose_timing", "Say when"),
        ("glucose", {"glucose": "NaN", "glucose_timing": "fasting"}, "glucose", "not a number"),
        ("glucose", {"glucose": "five", "glucose_timing": "fasting"}, "glucose", "not a number"),
        ("weight", {"weight_kg": 5}, "weight_kg", "cannot be right"),
        ("height", {"height_cm": 300}, "height_cm", "cannot be right"),
        ("weight", {"weight_kg": 60, "systolic": 120}, "systolic", "does not belong"),
    ],
)
def test_impossible_values_are_refused_and_nothing_is_saved(demo, card, kind, values, field, words):
    before = (Reading.objects.count(), FollowUp.objects.count(), Alert.objects.count())
    with pytest.raises(ValidationError) as refused:
        services.reading_record(
            actor=demo.user("doctor"), card=card, kind=kind, source=Source.CLINIC, **values
        )
    assert words in " ".join(refused.value.message_dict[field])
    after = (Reading.objects.count(), FollowUp.objects.count(), Alert.objects.count())
    assert after == before
    card.refresh_from_db()
    assert card.last_contact_at is None


def test_a_reading_cannot_be_taken_in_the_future(demo, card):
    with pytest.raises(ValidationError) as refused:
        bp(demo.user("doctor"), card, 120, 80, taken_at=timezone.now() + timedelta(hours=2))
    assert "future" in refused.value.message_dict["taken_at"][0]
    assert not Reading.objects.filter(card=card).exists()


# -- readings, follow-ups, alerts ---------------------------------------------------------------


def test_a_normal_reading_is_kept_pseudonymised_and_counts_as_contact(demo, card):
    taken = timezone.now() - timedelta(hours=1)
    reading = bp(demo.user("doctor"), card, 128, 82, pulse=72, taken_at=taken)
    assert reading.level == Level.NORMAL
    assert reading.compound_path == demo.nanguanfang.path
    assert reading.recorded_by == demo.user("doctor")
    card.refresh_from_db()
    assert card.last_contact_at == taken
    assert not FollowUp.objects.filter(card=card).exists()
    assert not Alert.objects.filter(card=card).exists()
    assert AuditEvent.objects.filter(action="health.reading.record", object_id=str(reading.pk))


def test_an_abnormal_reading_raises_one_follow_up_for_the_responsible_worker(demo, card):
    now = datetime(2031, 5, 10, 9, 0, tzinfo=SH)
    doctor = demo.user("doctor")
    first = bp(doctor, card, 150, 95, taken_at=now, now=now)
    assert first.level == Level.RAISED
    follow_up = FollowUp.objects.get(card=card)
    assert follow_up.reason == Level.RAISED
    assert follow_up.assignee == demo.user("community")
    assert follow_up.due_on == date(2031, 5, 24)  # 14 days
    assert follow_up.reading == first
    # not again while it is open
    bp(doctor, card, 160, 100, taken_at=now + timedelta(days=1), now=now + timedelta(days=1))
    assert FollowUp.objects.filter(card=card).count() == 1
    # another reason is another follow-up
    services.reading_record(
        actor=doctor,
        card=card,
        kind=ReadingKind.GLUCOSE,
        source=Source.CLINIC,
        glucose="6.5",
        glucose_timing=GlucoseTiming.FASTING,
        now=now,
    )
    assert FollowUp.objects.filter(card=card, reason=Level.IMPAIRED).count() == 1
    # once done, a new raised reading raises a new one
    services.follow_up_done(actor=demo.user("community"), follow_up=follow_up, outcome="复查正常")
    bp(doctor, card, 150, 95, taken_at=now, now=now)
    assert FollowUp.objects.filter(card=card, reason=Level.RAISED).count() == 2
    assert FollowUp.objects.filter(card=card, status=FollowUpStatus.OPEN).count() == 2
    assert not Alert.objects.filter(card=card).exists()


def test_follow_up_goes_to_the_family_doctor_without_a_responsible_worker(demo, zhou):
    doctor = demo.user("doctor")
    card = services.card_create(actor=doctor, resident=zhou, family_doctor=doctor)
    assert card.responsible_worker is None
    bp(doctor, card, 145, 85)
    assert FollowUp.objects.get(card=card).assignee == doctor


def test_follow_up_steps_and_refusals(demo, card):
    bp(demo.user("doctor"), card, 150, 95)
    follow_up = FollowUp.objects.get(card=card)
    with pytest.raises(ForbiddenError):
        services.follow_up_done(actor=demo.user("secretary"), follow_up=follow_up, outcome="x")
    with pytest.raises(ValidationError):
        services.follow_up_done(actor=demo.user("community"), follow_up=follow_up, outcome=" ")
    services.follow_up_cancel(actor=demo.user("community"), follow_up=follow_up)
    with pytest.raises(ConflictError):
        services.follow_up_done(actor=demo.user("community"), follow_up=follow_up, outcome="x")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CANCELLED


@pytest.mark.parametrize(
    ("kind", "values", "alert_kind", "value_text"),
    [
        ("blood_pressure", {"systolic": 186, "diastolic": 104}, AlertKind.URGENT, "186"),
        (
            "glucose",
            {"glucose": "17.3", "glucose_timing": "random"},
            AlertKind.DANGEROUS,
            "17.3",
        ),
        ("glucose", {"glucose": "2.8", "glucose_timing": "fasting"}, AlertKind.DANGEROUS, "2.8"),
    ],
)
def test_an_urgent_reading_alerts_the_care_team_without_saying_what(
    demo, card, django_capture_on_commit_callbacks, kind, values, alert_kind, value_text
):
    Notification.objects.filter(kind="health.alert").delete()
    community = demo.user("community")  # the responsible worker records it
    with django_capture_on_commit_callbacks(execute=True):
        reading = services.reading_record(
            actor=community, card=card, kind=kind, source=Source.VISIT, **values
        )
    alert = Alert.objects.get(card=card)
    assert alert.kind == alert_kind
    assert alert.reading == reading
    assert alert.acknowledged_at is None
    told = Notification.objects.filter(kind="health.alert")
    # the clinic staff over the place; not the one who recorded it
    assert {n.user.username for n in told} == {"doctor"}
    for note in told:
        text = f"{note.title} {note.body} {note.url}"
        assert value_text not in text
        for word in [
            *SECRET.values(),
            "blood",
            "glucose",
            "pressure",
            "血压",
            "血糖",
            "高血压",
            "周桂兰",
            "6号楼",
            "101",
        ]:
            assert word not in text
        assert str(card.pk) in note.url
        assert "南官房小区" in note.title
    assert not FollowUp.objects.filter(card=card).exists()  # an alert, not a follow-up


def test_an_alert_is_acknowledged_once(demo, card):
    bp(demo.user("doctor"), card, 190, 120)
    alert = Alert.objects.get(card=card)
    with pytest.raises(ForbiddenError):
        services.alert_acknowledge(actor=demo.user("eldercare"), alert=alert)
    services.alert_acknowledge(actor=demo.user("community"), alert=alert, note="已联系家属送医")
    with pytest.raises(ConflictError):
        services.alert_acknowledge(actor=demo.user("doctor"), alert=alert)
    assert alert not in selectors.alert_list(user=demo.user("doctor"))
    assert alert in selectors.alert_list(user=demo.user("doctor"), open_only=False)


def test_bmi_is_derived_from_the_latest_height(demo, card):
    doctor = demo.user("doctor")
    early = timezone.now() - timedelta(days=2)
    weight_alone = services.reading_record(
        actor=doctor, card=card, kind=ReadingKind.WEIGHT, source=Source.CLINIC, weight_kg="64"
    )
    assert weight_alone.bmi is None
    services.reading_record(
        actor=doctor,
        card=card,
        kind=ReadingKind.HEIGHT,
        source=Source.CLINIC,
        height_cm="170",
        taken_at=early,
    )
    height = services.reading_record(
        actor=doctor, card=card, kind=ReadingKind.HEIGHT, source=Source.CLINIC, height_cm="160"
    )
    assert height.bmi is None
    weight = services.reading_record(
        actor=doctor, card=card, kind=ReadingKind.WEIGHT, source=Source.CLINIC, weight_kg="64.0"
    )
    assert weight.bmi == Decimal("25.0")  # 64 / 1.6²
    trend = selectors.reading_trend(card, ReadingKind.WEIGHT)
    assert [p["bmi"] for p in trend["points"]] == [None, 25.0]


def test_who_may_record_a_reading(demo, card):
    for username in ["secretary", "eldercare", "district", "resident", "volunteer"]:
        with pytest.raises(ForbiddenError):
            bp(demo.user(username), card, 120, 80)
    with pytest.raises(ForbiddenError):  # the system records only a device's readings
        bp(SYSTEM, card, 120, 80)
    assert not Reading.objects.filter(card=card).exists()
    for username in ["doctor", "community", "admin"]:
        bp(demo.user(username), card, 120, 80)
    assert Reading.objects.filter(card=card).count() == 3


def test_a_free_clinic_organiser_records_readings_of_its_registrations(demo, card):
    organisation = Organisation.objects.get(name="南官房小区义诊站")
    start = timezone.now() - timedelta(hours=1)
    event = ClinicEvent.objects.create(
        organisation=organisation,
        place=demo.nanguanfang,
        title="义诊",
        specialty="general",
        start=start,
        end=start + timedelta(hours=3),
    )
    registration = Registration.objects.create(event=event, card=card, slot_start=start)
    volunteer = demo.user("volunteer")
    with pytest.raises(ForbiddenError):
        bp(volunteer, card, 120, 80, source=Source.FREE_CLINIC, registration=registration)
    organisation.memberships.create(user=volunteer)
    volunteer = demo.user("volunteer")  # a new request: memberships are read once per request
    reading = bp(volunteer, card, 120, 80, source=Source.FREE_CLINIC, registration=registration)
    assert reading.registration == registration
    assert volunteer.has_perm("health.run_clinic", event)
    assert not volunteer.has_perm("health.view_card", card)


# -- cards -------------------------------------------------------------------------------------


def test_a_card_per_resident_made_by_the_community_worker(demo, zhou):
    community = demo.user("community")
    card = services.card_create(actor=community, resident=zhou, conditions="高血压")
    assert card.place == zhou.place
    assert card.responsible_worker == community  # the worker who made it
    assert len(card.qr_token) >= 16
    assert card.emergency_phone == ""
    assert CardEvent.objects.filter(card=card, kind=CardEventKind.CREATED).count() == 1
    with pytest.raises(ConflictError) as twice:
        services.card_create(actor=demo.user("doctor"), resident=zhou)
    assert twice.value.code == "card_exists"


def test_card_create_refusals(demo, zhou):
    for username in ["secretary", "district", "property", "eldercare", "resident", "volunteer"]:
        with pytest.raises(ForbiddenError):
            services.card_create(actor=demo.user(username), resident=zhou)
    doctor = demo.user("doctor")
    with pytest.raises(ValidationError) as refused:
        services.card_create(actor=doctor, resident=zhou, responsible_worker=demo.user("property"))
    assert "responsible_worker" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.card_create(actor=doctor, resident=zhou, family_doctor=demo.user("community"))
    assert "family_doctor" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.card_create(actor=doctor, resident=zhou, emergency_phone="12345")
    assert "emergency_phone" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.card_create(actor=doctor, resident=zhou, watch_days=0)
    assert not HealthCard.objects.filter(resident=zhou).exists()


def test_card_update_and_deactivate(demo, card):
    with pytest.raises(ForbiddenError):
        services.card_update(actor=demo.user("secretary"), card=card, allergies="x")
    card = services.card_update(actor=demo.user("community"), card=card, allergies="无")
    assert card.allergies == "无"
    event = CardEvent.objects.filter(card=card, kind=CardEventKind.CHANGED).get()
    assert event.note == "allergies"  # the field, never the value
    assert AuditEvent.objects.get(action="health.card.change").details == {"fields": ["allergies"]}
    services.card_deactivate(actor=demo.user("doctor"), card=card)
    card.refresh_from_db()
    assert not card.is_active
    with pytest.raises(ConflictError):
        bp(demo.user("doctor"), card, 120, 80)
    with pytest.raises(ConflictError):
        services.card_deactivate(actor=demo.user("doctor"), card=card)
    assert card not in selectors.card_list(user=demo.user("doctor"))
    assert card in selectors.card_list(user=demo.user("doctor"), include_inactive=True)


# -- consent -----------------------------------------------------------------------------------


def visible(user, card):
    return {
        "card": user.has_perm("health.view_card", card),
        "readings": user.has_perm("health.view_readings", card),
        "listed": selectors.card_list(user=user).filter(pk=card.pk).exists(),
        "listed_for_readings": selectors.card_list(user=user, readings=True)
        .filter(pk=card.pk)
        .exists(),
    }


NOTHING = {"card": False, "readings": False, "listed": False, "listed_for_readings": False}


def test_the_elder_care_station_sees_only_what_was_consented(demo, card, elder_care):
    eldercare = demo.user("eldercare")
    bp(demo.user("doctor"), card, 128, 80)
    assert visible(eldercare, card) == NOTHING
    assert not eldercare.has_perm("health.view_card")  # no nav entry either
    with pytest.raises(Http404):
        selectors.card_get(user=eldercare, pk=card.pk)
    with pytest.raises(Http404):
        selectors.readings(user=eldercare, card=card)

    consent = services.consent_give(
        actor=demo.user("doctor"),
        card=card,
        organisation=elder_care,
        scope=ConsentScope.CARD,
        note="本人签字",
    )
    assert visible(eldercare, card) == {
        "card": True,
        "readings": False,
        "listed": True,
        "listed_for_readings": False,
    }
    assert selectors.card_get(user=eldercare, pk=card.pk).conditions == SECRET["conditions"]
    with pytest.raises(Http404):
        selectors.readings(user=eldercare, card=card)
    assert eldercare.has_perm("health.view_card")
    assert not eldercare.has_perm("health.edit_card", card)
    assert not eldercare.has_perm("health.manage_consent", card)

    services.consent_withdraw(actor=demo.user("resident"), consent=consent)
    assert visible(eldercare, card) == NOTHING
    with pytest.raises(Http404):
        selectors.card_get(user=eldercare, pk=card.pk)
    assert not eldercare.has_perm("health.view_card")

    readings_only = services.consent_give(
        actor=demo.user("community"),
        card=card,
        organisation=elder_care,
        scope=ConsentScope.READINGS,
    )
    assert visible(eldercare, card) == {
        "card": False,
        "readings": True,
        "listed": False,
        "listed_for_readings": True,
    }
    with pytest.raises(Http404):
        selectors.card_get(user=eldercare, pk=card.pk)
    shared = selectors.card_for_readings(user=eldercare, pk=card.pk)
    assert [r.systolic for r in selectors.readings(user=eldercare, card=shared)] == [128]
    assert selectors.alert_list(user=eldercare).count() == 0

    services.consent_withdraw(actor=demo.user("doctor"), consent=readings_only)
    assert visible(eldercare, card) == NOTHING
    with pytest.raises(Http404):
        selectors.card_for_readings(user=eldercare, pk=card.pk)

    services.consent_give(
        actor=demo.user("doctor"), card=card, organisation=elder_care, scope=ConsentScope.ALL
    )
    assert visible(eldercare, card) == {
        "card": True,
        "readings": True,
        "listed": True,
        "listed_for_readings": True,
    }
    kinds = list(CardEvent.objects.filter(card=card).values_list("kind", flat=True))
    assert kinds.count(CardEventKind.CONSENT_GIVEN) == 3
    assert kinds.count(CardEventKind.CONSENT_WITHDRAWN) == 2


def test_consent_refusals(demo, card, elder_care):
    for username in ["resident", "eldercare", "secretary", "district"]:
        with pytest.raises(ForbiddenError):
            services.consent_give(
                actor=demo.user(username), card=card, organisation=elder_care, scope="all"
            )
    with pytest.raises(ValidationError):
        services.consent_give(
            actor=demo.user("doctor"), card=card, organisation=elder_care, scope="everything"
        )
    with pytest.raises(ValidationError):
        services.consent_give(
            actor=demo.user("doctor"),
            card=card,
            organisation=elder_care,
            scope="card",
            given_at=timezone.now() + timedelta(days=1),
        )
    consent = services.consent_give(
        actor=demo.user("doctor"), card=card, organisation=elder_care, scope="card"
    )
    with pytest.raises(ConflictError):
        services.consent_give(
            actor=demo.user("doctor"), card=card, organisation=elder_care, scope="all"
        )
    for username in ["eldercare", "secretary", "property"]:
        with pytest.raises(ForbiddenError):
            services.consent_withdraw(actor=demo.user(username), consent=consent)
    services.consent_withdraw(actor=demo.user("resident"), consent=consent)
    with pytest.raises(ConflictError):
        services.consent_withdraw(actor=demo.user("doctor"), consent=consent)
    assert Consent.objects.filter(card=card).count() == 1  # kept as a record


# -- who sees what -----------------------------------------------------------------------------

# (view_card, view_readings, edit_card, record_reading, manage_consent, withdraw_consent)
MATRIX = {
    # A superuser holds every permission (Django's has_perm); their reads are audited.
    "admin": (True, True, True, True, True, True),
    "district": (False,) * 6,
    "street": (False,) * 6,
    "community": (True, True, True, True, True, True),  # the responsible worker
    "secretary": (False,) * 6,
    "property": (False,) * 6,
    "resident": (True, True, False, False, False, True),  # their own card
    "doctor": (True, True, True, True, True, True),  # clinic staff over the compound
    "patrol": (False,) * 6,
    "inspector": (False,) * 6,
    "volunteer": (False,) * 6,
    "eldercare": (False,) * 6,  # no consent
}
PERMS = (
    "health.view_card",
    "health.view_readings",
    "health.edit_card",
    "health.record_reading",
    "health.manage_consent",
    "health.withdraw_consent",
)


@pytest.mark.parametrize("username", DEMO_USERS)
def test_card_permissions_of_every_demo_user(demo, card, username):
    user = demo.user(username)
    assert tuple(user.has_perm(perm, card) for perm in PERMS) == MATRIX[username]
    listed = selectors.card_list(user=user).filter(pk=card.pk).exists()
    assert listed == MATRIX[username][0]
    if MATRIX[username][0]:
        assert selectors.card_get(user=user, pk=card.pk) == card
    else:
        with pytest.raises(Http404):
            selectors.card_get(user=user, pk=card.pk)
        with pytest.raises(Http404):
            selectors.card_by_qr(user=user, token=card.qr_token)


@pytest.mark.parametrize("username", DEMO_USERS)
def test_a_community_worker_sees_only_the_cards_they_are_responsible_for(demo, zhou, username):
    card = services.card_create(actor=demo.user("doctor"), resident=zhou)
    assert card.responsible_worker is None
    user = demo.user(username)
    expected = username in {"admin", "doctor", "resident"}
    assert user.has_perm("health.view_card", card) is expected
    assert selectors.card_list(user=user).filter(pk=card.pk).exists() is expected


MAKE_AND_COUNT = {
    # (make_card on the resident, view_stats on the compound, view_card without object)
    "admin": (True, True, True),
    "district": (False, True, False),
    "street": (False, True, False),
    "community": (True, True, True),
    "secretary": (False, False, False),
    "property": (False, False, False),
    "resident": (False, False, True),
    "doctor": (True, True, True),
    "patrol": (False, False, False),
    "inspector": (False, False, False),
    "volunteer": (False, False, False),
    "eldercare": (False, False, False),
}


@pytest.mark.parametrize("username", DEMO_USERS)
def test_who_makes_cards_and_who_counts(demo, zhou, card, username):
    user = demo.user(username)
    got = (
        user.has_perm("health.make_card", zhou),
        user.has_perm("health.view_stats", demo.nanguanfang),
        user.has_perm("health.view_card"),
    )
    assert got == MAKE_AND_COUNT[username]
    if got[1]:
        counts = selectors.stats(user=user, place=demo.nanguanfang)
        assert counts.cards >= 1
    else:
        with pytest.raises(Http404):
            selectors.stats(user=user, place=demo.nanguanfang)


def test_stats_count_by_level_and_never_below_a_compound(demo, card):
    now = timezone.now()
    doctor = demo.user("doctor")
    baseline = selectors.stats(user=doctor, place=demo.nanguanfang, now=now)
    bp(doctor, card, 120, 80, now=now)
    bp(doctor, card, 150, 95, now=now)
    bp(doctor, card, 185, 95, now=now)
    counts = selectors.stats(user=demo.user("district"), place=demo.district, now=now)
    here = selectors.stats(user=doctor, place=demo.resident_household, now=now)
    assert here.place_path == demo.nanguanfang.path
    for got in (counts, here):
        assert got.readings_by_level[Level.NORMAL] >= 1
    assert here.readings - baseline.readings == 3
    assert here.readings_by_level[Level.RAISED] - baseline.readings_by_level[Level.RAISED] == 1
    assert here.readings_by_level[Level.URGENT] - baseline.readings_by_level[Level.URGENT] == 1
    assert here.open_follow_ups - baseline.open_follow_ups == 1
    assert here.open_alerts - baseline.open_alerts == 1


def test_work_lists(demo, card):
    doctor, community = demo.user("doctor"), demo.user("community")
    now = timezone.now()
    bp(doctor, card, 150, 95, now=now - timedelta(days=20))
    bp(doctor, card, 190, 95)
    follow_up = FollowUp.objects.get(card=card)
    assert follow_up in selectors.follow_up_list(user=community, mine=True)
    assert follow_up in selectors.follow_up_list(user=community, overdue=True)
    assert follow_up not in selectors.follow_up_list(user=doctor, mine=True)
    assert follow_up in selectors.follow_up_list(user=doctor)
    for username in ["secretary", "district", "eldercare", "resident"]:
        assert follow_up not in selectors.follow_up_list(user=demo.user(username))
        assert not selectors.alert_list(user=demo.user(username)).filter(card=card).exists()
    assert selectors.alert_list(user=community).filter(card=card).count() == 1
    mine = selectors.my_cards(user=community).get(pk=card.pk)
    assert (mine.open_follow_ups, mine.open_alerts) == (1, 1)
    assert not selectors.my_cards(user=doctor).filter(pk=card.pk).exists()


def test_card_list_search_and_level(demo, card):
    doctor = demo.user("doctor")
    assert card in selectors.card_list(user=doctor, q="周桂")
    assert card not in selectors.card_list(user=doctor, q="不存在的名字")
    assert card in selectors.card_list(user=doctor, place=demo.nanguanfang)
    assert card in selectors.card_list(user=doctor, place=demo.nanguanfang.pk)
    assert card not in selectors.card_list(user=doctor, place=demo.place("平城区/清远街道"))
    bp(doctor, card, 150, 95, taken_at=timezone.now() - timedelta(days=1))
    assert card in selectors.card_list(user=doctor, level=Level.RAISED)
    bp(doctor, card, 120, 80)
    assert card not in selectors.card_list(user=doctor, level=Level.RAISED)
    assert card in selectors.card_list(user=doctor, level=Level.NORMAL)


# -- audit and "who looked" --------------------------------------------------------------------


def test_every_read_is_audited_and_the_resident_sees_who_looked(demo, card):
    doctor = demo.user("doctor")
    reads = AuditEvent.objects.filter(action="health.card.read", object_id=str(card.pk))
    assert reads.count() == 0
    for how in ("page", "print", "export", "api", "fhir"):
        selectors.card_get(user=doctor, pk=card.pk, how=how)
    assert selectors.card_by_qr(user=doctor, token=card.qr_token) == card
    list(selectors.readings(user=demo.user("community"), card=card, how="page"))
    assert sorted(e.details["how"] for e in reads) == sorted(
        ["page", "print", "export", "api", "fhir", "qr"]
    )
    assert {e.actor for e in reads} == {doctor}
    assert AuditEvent.objects.filter(action="health.readings.read", object_id=str(card.pk))

    # a refused read leaves nothing and says nothing
    with pytest.raises(Http404):
        selectors.card_get(user=demo.user("secretary"), pk=card.pk)
    with pytest.raises(Http404):
        selectors.card_by_qr(user=demo.user("doctor"), token="no-such-token")
    assert reads.count() == 6

    looks = selectors.who_looked(card=card)
    assert looks[0].action == "health.readings.read"
    assert looks[0].actor_name == demo.user("community").display_name
    read_looks = [look for look in looks if look.action == "health.card.read"]
    assert len(read_looks) == 6
    assert {look.how for look in read_looks} == {"page", "print", "export", "api", "fhir", "qr"}
    doctor_look = read_looks[0]
    assert doctor_look.actor_name == doctor.display_name
    assert "clinic staff" in doctor_look.roles
    assert "南官房小区义诊站" in doctor_look.organisations
    assert any(look.action == "health.card.create" for look in looks)
    assert all(look.at >= looks[-1].at for look in looks)


def test_audit_details_hold_no_health_content(demo, card, elder_care):
    # From the making of this test's card on (the demo world's events have other ids).
    since = AuditEvent.objects.get(action="health.card.create", object_id=str(card.pk)).pk
    doctor = demo.user("doctor")
    services.card_update(actor=doctor, card=card, notes="新备注XQ7ZNEW")
    bp(doctor, card, 190, 120)
    services.consent_give(actor=doctor, card=card, organisation=elder_care, scope="all")
    services.alert_acknowledge(actor=doctor, alert=Alert.objects.get(card=card), note="XQ7ZACK")
    text = " ".join(
        f"{e.details} {e.object_repr}"
        for e in AuditEvent.objects.filter(action__startswith="health.", pk__gte=since)
    ) + " ".join(CardEvent.objects.filter(card=card).values_list("note", flat=True))
    for word in [*SECRET.values(), "XQ7ZNEW", "XQ7ZACK", "190", "周桂兰"]:
        assert word not in text


# -- encryption at rest ------------------------------------------------------------------------


def raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


def test_the_database_holds_no_plaintext_health_content(demo, card):
    doctor = demo.user("doctor")
    bp(doctor, card, 150, 95)
    bp(doctor, card, 190, 95)
    services.follow_up_done(
        actor=doctor, follow_up=FollowUp.objects.get(card=card), outcome="复诊XQ7ZOUTCOME"
    )
    services.alert_acknowledge(
        actor=doctor, alert=Alert.objects.get(card=card), note="送医XQ7ZALERTNOTE"
    )
    start = timezone.now()
    event = ClinicEvent.objects.create(
        organisation=Organisation.objects.get(name="南官房小区义诊站"),
        place=demo.nanguanfang,
        title="义诊",
        specialty="tcm",
        start=start,
        end=start + timedelta(hours=2),
    )
    Registration.objects.create(
        event=event,
        card=card,
        slot_start=start,
        complaint="头晕XQ7ZCOMPLAINT",
        advice="低盐XQ7ZADVICE",
    )
    # the ORM reads them back in the clear
    card = HealthCard.objects.get(pk=card.pk)
    assert card.conditions == SECRET["conditions"]
    assert card.emergency_phone == "13903529999"

    stored = " ".join(
        [
            raw(
                "SELECT conditions, medications, allergies, notes, emergency_phone "
                "FROM health_healthcard WHERE id = %s",
                [card.pk],
            ),
            raw("SELECT outcome FROM health_followup WHERE card_id = %s", [card.pk]),
            raw("SELECT note FROM health_alert WHERE card_id = %s", [card.pk]),
            raw("SELECT complaint, advice FROM health_registration WHERE card_id = %s", [card.pk]),
        ]
    )
    assert len(stored) > 500  # something was stored, encrypted
    for word in [
        *SECRET.values(),
        "XQ7Z",
        "高血压",
        "13903529999",
        "9999",
        "复诊",
        "送医",
        "头晕",
        "低盐",
    ]:
        assert word not in stored


def test_the_readings_table_holds_no_identity(demo):
    with connection.cursor() as cursor:
        columns = {
            c.name.lower()
            for c in connection.introspection.get_table_description(cursor, "health_reading")
        }
    assert "card_id" in columns
    assert "compound_path" in columns
    for forbidden in ("name", "id_number", "phone", "resident_id", "birth_date", "gender"):
        assert not any(forbidden in column for column in columns), forbidden


# -- devices and check-ins ---------------------------------------------------------------------


def test_a_device_posts_readings_with_its_token_until_revoked(demo, card):
    community = demo.user("community")
    with pytest.raises(ForbiddenError):
        services.device_register(
            actor=demo.user("eldercare"), card=card, kind="bp_monitor", name="x"
        )
    device, token = services.device_register(
        actor=community, card=card, kind="bp_monitor", name="欧姆龙 血压计"
    )
    assert len(token) >= 32
    assert device.token_hint == token[:6]
    assert token not in raw("SELECT * FROM health_device WHERE id = %s", [device.pk])
    assert services.device_for_token("wrong") is None
    assert services.device_for_token("") is None
    found = services.device_for_token(token)
    assert found == device
    found.refresh_from_db()
    assert found.last_seen_at is not None

    reading = services.device_reading(
        device=found, kind="blood_pressure", systolic=132, diastolic=84, pulse=70
    )
    assert reading.source == Source.DEVICE
    assert reading.device == device
    assert reading.recorded_by is None
    with pytest.raises(ValidationError):
        services.device_reading(device=found, kind="blood_pressure", systolic=20, diastolic=10)
    with pytest.raises(ValidationError):
        services.device_reading(device=found, kind="blood_pressure", owner="x")

    services.device_revoke(actor=demo.user("doctor"), device=device)
    assert services.device_for_token(token) is None
    device.refresh_from_db()
    with pytest.raises(ForbiddenError):
        services.device_reading(device=device, kind="blood_pressure", systolic=120, diastolic=80)
    with pytest.raises(ConflictError):
        services.device_revoke(actor=community, device=device)
    kinds = set(CardEvent.objects.filter(card=card).values_list("kind", flat=True))
    assert {CardEventKind.DEVICE_REGISTERED, CardEventKind.DEVICE_REVOKED} <= kinds


def test_check_ins(demo, card):
    at = timezone.now() - timedelta(minutes=5)
    check_in = services.check_in_record(
        actor=demo.user("resident"), card=card, source=Source.SELF, now=at
    )
    assert check_in.at == at
    card.refresh_from_db()
    assert card.last_contact_at == at
    services.check_in_record(actor=demo.user("community"), card=card, source=Source.VISIT)
    device, _token = services.device_register(
        actor=demo.user("doctor"), card=card, kind="watch", name="一键呼叫"
    )
    services.check_in_record(actor=SYSTEM, card=card, source=Source.DEVICE, device=device)
    assert card.check_ins.count() == 3
    for username in ["eldercare", "secretary"]:
        with pytest.raises(ForbiddenError):
            services.check_in_record(actor=demo.user(username), card=card, source=Source.VISIT)
    with pytest.raises(ForbiddenError):
        services.check_in_record(actor=SYSTEM, card=card, source=Source.DEVICE)


# -- the no-contact watch ----------------------------------------------------------------------


@pytest.fixture
def alone(demo):
    """A second resident of 6-1-101, living alone, with a card."""
    community = demo.user("community")
    resident = make_resident(
        community, demo.resident_household, name="独居老人", birth=date(1941, 2, 3)
    )
    Resident.objects.filter(pk=resident.pk).update(lives_alone=True)
    resident.refresh_from_db()
    return services.card_create(actor=community, resident=resident)


def test_no_contact_raises_one_alert_for_a_resident_living_alone(
    demo, card, alone, settings, django_capture_on_commit_callbacks
):
    settings.LINLI_HEALTH_WATCH_DAYS = 3
    Resident.objects.filter(pk=card.resident_id).update(lives_alone=False)
    Notification.objects.filter(kind="health.alert").delete()
    now = timezone.now()
    ours = Alert.objects.filter(card__in=[card, alone], kind=AlertKind.NO_CONTACT)

    services.watch_no_contact(now=now + timedelta(days=2))
    assert not ours.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.watch_no_contact(now=now + timedelta(days=3, minutes=1))
    assert list(ours.values_list("card", flat=True)) == [
        alone.pk
    ]  # not the one who lives with others
    told = Notification.objects.filter(kind="health.alert")
    assert {n.user.username for n in told} == {"community", "doctor"}
    services.watch_no_contact(now=now + timedelta(days=4))
    assert ours.count() == 1  # not twice while open

    services.alert_acknowledge(actor=demo.user("community"), alert=ours.get(), note="上门看过")
    services.check_in_record(
        actor=demo.user("community"), card=alone, source=Source.VISIT, now=now + timedelta(days=4)
    )
    services.watch_no_contact(now=now + timedelta(days=6))
    assert ours.count() == 1  # contact 2 days ago
    services.watch_no_contact(now=now + timedelta(days=7, minutes=1))
    assert ours.count() == 2


def test_contact_after_a_no_contact_alert_settles_it(demo, alone, settings):
    settings.LINLI_HEALTH_WATCH_DAYS = 3
    now = timezone.now()
    services.watch_no_contact(now=now + timedelta(days=3, minutes=1))
    alert = Alert.objects.get(card=alone, kind=AlertKind.NO_CONTACT)
    assert alert.acknowledged_at is None
    services.check_in_record(
        actor=demo.user("community"), card=alone, source=Source.VISIT, now=now + timedelta(days=4)
    )
    alert.refresh_from_db()
    assert alert.acknowledged_at == now + timedelta(days=4)
    assert alert.acknowledged_by is None and "Contact resumed" in alert.note
    assert AuditEvent.objects.filter(action="health.alert.settle", object_id=str(alert.pk))
    # An urgent alert is not settled by a later reading: someone must look at it.
    bp(demo.user("doctor"), alone, 185, 100)
    services.check_in_record(actor=demo.user("community"), card=alone, source=Source.VISIT)
    assert Alert.objects.get(card=alone, kind=AlertKind.URGENT).acknowledged_at is None


def test_no_contact_honours_the_cards_own_window(demo, alone, settings):
    settings.LINLI_HEALTH_WATCH_DAYS = 3
    services.card_update(actor=demo.user("community"), card=alone, watch_days=7)
    now = timezone.now()
    watch = Alert.objects.filter(card=alone, kind=AlertKind.NO_CONTACT)
    services.watch_no_contact(now=now + timedelta(days=5))
    assert not watch.exists()
    services.device_reading(
        device=services.device_register(
            actor=demo.user("doctor"), card=alone, kind="scale", name="秤"
        )[0],
        kind="weight",
        weight_kg=55,
        now=now + timedelta(days=5),
        taken_at=now + timedelta(days=5),
    )
    services.watch_no_contact(now=now + timedelta(days=11))
    assert not watch.exists()
    services.watch_no_contact(now=now + timedelta(days=12, minutes=1))
    assert watch.count() == 1
    services.card_deactivate(actor=demo.user("community"), card=alone)
    Alert.objects.filter(card=alone).update(acknowledged_at=now)
    services.watch_no_contact(now=now + timedelta(days=30))
    assert watch.count() == 1  # a closed card is not watched


def test_the_watch_runs_hourly():
    jobs = {job.name: job for job in registered_jobs()}
    job = jobs["linli.health.tasks.watch_no_contact_task"]
    assert job.every == timedelta(hours=1)


def test_errors_are_the_projects(demo, zhou):
    Resident.objects.filter(pk=zhou.pk).update(status="moved_away")
    zhou.refresh_from_db()
    with pytest.raises(LinliError) as refused:
        services.card_create(actor=demo.user("doctor"), resident=zhou)
    assert refused.value.code == "not_living"


# -- bounded queries ---------------------------------------------------------------------------


def test_lists_take_a_bounded_number_of_queries(demo, card, django_assert_max_num_queries):
    community, doctor = demo.user("community"), demo.user("doctor")
    for i in range(4):
        resident = make_resident(community, demo.resident_household, name=f"查询{i}")
        other = services.card_create(actor=community, resident=resident)
        bp(doctor, other, 150, 95)
        bp(doctor, other, 185, 95)
        selectors.card_get(user=doctor, pk=other.pk)
    doctor = demo.user("doctor")  # a fresh request
    with django_assert_max_num_queries(3):
        rows = [
            (c.resident.name, c.place.path, getattr(c.responsible_worker, "pk", None))
            for c in selectors.card_list(user=doctor)
        ]
    assert len(rows) >= 5
    with django_assert_max_num_queries(2):
        assert (
            len([(c.open_follow_ups, c.resident.name) for c in selectors.my_cards(user=community)])
            >= 5
        )
    with django_assert_max_num_queries(2):
        assert (
            len(
                [
                    (a.card.resident.name, a.card.place.path)
                    for a in selectors.alert_list(user=doctor)
                ]
            )
            >= 4
        )
    with django_assert_max_num_queries(2):
        assert (
            len([(f.card.resident.name, f.assignee) for f in selectors.follow_up_list(user=doctor)])
            >= 4
        )
    with django_assert_max_num_queries(3):
        assert selectors.who_looked(card=card) is not None
