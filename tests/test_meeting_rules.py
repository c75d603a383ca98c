"""Rules of the deliberation meeting that the secretary meets on the page (issue 14, item 9):
a topic waits on one agenda at a time; the minutes go out only once the meeting has begun;
the attendance table names its first column for the people who take part."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from linli.core.errors import ConflictError
from linli.meetings import selectors, services
from linli.meetings.models import AgendaItem, Meeting, MeetingSeries, MeetingStatus, Outcome
from linli.places.models import Organisation

pytestmark = pytest.mark.django_db


def local(day: str, hm: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(f"{day}T{hm}"))


@pytest.fixture
def series(demo):
    """A fresh series of the compound (the demo's set aside; the test's transaction restores
    it), without a bookable hall, with the committee and the secretary taking part."""
    MeetingSeries.objects.filter(place=demo.nanguanfang).update(is_active=False)
    secretary = demo.user("secretary")
    created = services.series_create(
        actor=secretary, place=demo.nanguanfang, venue="议事厅", chair=secretary
    )
    services.participant_add(
        actor=secretary,
        series=created,
        organisation=Organisation.objects.get(name="南官房小区物管会"),
        role="物管会",
    )
    services.participant_add(actor=secretary, series=created, user=secretary, role="支部书记")
    return created


def meeting(series, secretary, start: datetime, title: str):
    return services.meeting_create_extra(
        actor=secretary, series=series, start=start, end=start + timedelta(hours=2), title=title
    )


def message_texts(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# -- one agenda at a time ---------------------------------------------------------------------


def test_a_topic_on_one_meetings_agenda_cannot_join_another(demo, series, client_for):
    secretary = demo.user("secretary")
    now = timezone.now()
    december = meeting(series, secretary, now + timedelta(days=10), "十二月议事会")
    january = meeting(series, secretary, now + timedelta(days=40), "一月议事会")
    parking = services.topic_create(actor=secretary, series=series, title="小区停车研究")
    services.agenda_add(actor=secretary, meeting=december, topic=parking)

    # The service refuses, saying where the topic already is.
    with pytest.raises(ConflictError) as refused:
        services.agenda_add(actor=secretary, meeting=january, topic=parking)
    assert refused.value.code == "on_other_agenda"
    assert "十二月议事会" in refused.value.message

    # The page does not offer it, and a forged request is told why.
    client = client_for("secretary")
    page = client.get(f"/meetings/{january.pk}/")
    assert f'data-testid="add-topic-{parking.pk}"' not in page.content.decode()
    answer = client.post(
        f"/meetings/{january.pk}/action/",
        {"action": "add_topic", "topic": parking.pk},
        follow=True,
    )
    assert "十二月议事会" in message_texts(answer)
    assert not january.items.exists()

    # So does the API, with 409 and the same message.
    api = client.post(
        f"/api/v1/meetings/{january.pk}/agenda",
        {"topic": parking.pk},
        content_type="application/json",
    )
    assert api.status_code == 409, api.content
    assert api.json()["code"] == "on_other_agenda"
    assert "十二月议事会" in api.json()["detail"]

    # And the database itself holds the rule.
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.create(meeting=january, topic=parking, position=9)

    # Taken off December's agenda, it may go on January's.
    services.agenda_remove(actor=secretary, item=december.items.get())
    services.agenda_add(actor=secretary, meeting=january, topic=parking)
    assert [i.meeting_id for i in AgendaItem.objects.filter(topic=parking)] == [january.pk]


def test_a_carried_topic_moves_to_the_next_meeting_and_a_cancelled_one_frees_its_topics(
    demo, series
):
    secretary = demo.user("secretary")
    now = timezone.now()
    today = meeting(series, secretary, now - timedelta(minutes=30), "本次议事会")
    later = meeting(series, secretary, now + timedelta(days=30), "下次议事会")
    study = services.topic_create(actor=secretary, series=series, title="停车研究")
    services.agenda_add(actor=secretary, meeting=today, topic=study)
    services.meeting_hold(actor=secretary, meeting=today, now=today.start)
    services.item_carry(actor=secretary, item=today.items.get(), note="继续研究")
    # On the next agenda, waiting; on today's, carried.
    assert AgendaItem.objects.get(topic=study, outcome=Outcome.PENDING).meeting == later
    assert today.items.get().outcome == Outcome.CARRIED

    # The next meeting is cancelled: its topics go back to the list for another meeting.
    services.meeting_cancel(actor=secretary, meeting=later, reason="场地维修")
    assert not later.items.exists()
    makeup = meeting(series, secretary, now + timedelta(days=60), "补开议事会")
    assert study in selectors.topic_suggestions(makeup)["topics"]


# -- no minutes before the meeting ------------------------------------------------------------


def test_minutes_of_a_16_00_meeting_cannot_be_published_at_13_55(demo, series):
    secretary = demo.user("secretary")
    day = (timezone.localdate() + timedelta(days=20)).isoformat()
    afternoon = meeting(series, secretary, local(day, "16:00"), "下午议事会")
    topic = services.topic_create(actor=secretary, series=series, title="楼道灯")
    services.agenda_add(actor=secretary, meeting=afternoon, topic=topic)
    services.meeting_hold(actor=secretary, meeting=afternoon, now=local(day, "13:00"))
    services.item_drop(actor=secretary, item=afternoon.items.get(), reason="已修好")

    with pytest.raises(ConflictError) as refused:
        services.meeting_publish_minutes(
            actor=secretary, meeting=afternoon, summary="纪要", now=local(day, "13:55")
        )
    assert refused.value.code == "too_early"
    assert "16:00" in refused.value.message
    afternoon.refresh_from_db()
    assert afternoon.status == MeetingStatus.HELD
    assert not afternoon.events.filter(kind="minutes_published").exists()

    services.meeting_publish_minutes(
        actor=secretary, meeting=afternoon, summary="纪要", now=local(day, "18:05")
    )
    afternoon.refresh_from_db()
    assert afternoon.status == MeetingStatus.PUBLISHED


def test_the_page_offers_no_publishing_before_the_meeting_and_refuses_it(demo, series, client_for):
    secretary = demo.user("secretary")
    soon = meeting(series, secretary, timezone.now() + timedelta(hours=3), "晚间议事会")
    topic = services.topic_create(actor=secretary, series=series, title="垃圾分类")
    services.agenda_add(actor=secretary, meeting=soon, topic=topic)
    # The record opens on the meeting's day (as the secretary would, that morning).
    services.meeting_hold(actor=secretary, meeting=soon, now=soon.start)
    services.item_drop(actor=secretary, item=soon.items.get(), reason="下次再议")
    client = client_for("secretary")

    html = client.get(f"/meetings/{soon.pk}/").content.decode()
    assert 'data-testid="minutes-too-early"' in html
    assert 'data-testid="publish-minutes"' not in html
    starts = timezone.localtime(soon.start).strftime("%H:%M")
    assert starts in html

    answer = client.post(
        f"/meetings/{soon.pk}/action/",
        {"action": "publish_minutes", "summary": "纪要"},
        follow=True,
    )
    assert starts in message_texts(answer) or starts in answer.content.decode()
    soon.refresh_from_db()
    assert soon.status == MeetingStatus.HELD

    api = client.post(
        f"/api/v1/meetings/{soon.pk}/steps",
        {"step": "publish_minutes", "summary": "纪要"},
        content_type="application/json",
    )
    assert api.status_code == 409
    assert api.json()["code"] == "too_early"


# -- the attendance table ----------------------------------------------------------------------


def attendance_head(client, held) -> str:
    html = client.get(f"/meetings/{held.pk}/").content.decode()
    section = html[html.index('data-testid="attendance"') :]
    return re.search(r"<thead>(.*?)</thead>", section, re.S).group(1)


def test_the_attendance_table_is_headed_for_the_participants_not_an_operator(
    demo, series, client_for, english
):
    secretary = demo.user("secretary")
    held = meeting(series, secretary, timezone.now() - timedelta(minutes=10), "议事会")
    services.meeting_hold(actor=secretary, meeting=held, now=held.start)
    head = attendance_head(english("secretary"), held)
    assert ">participant<" in head and ">attendance<" in head and ">who<" not in head
    # In Chinese, not the audit log's 操作人 (operator).
    assert "操作人" not in attendance_head(client_for("secretary"), held)
    series_page = client_for("secretary").get(f"/meetings/series/{series.pk}/").content.decode()
    assert "操作人" not in series_page


def test_the_migration_leaves_each_topic_waiting_on_one_agenda(demo, series):
    """Topics already on two agendas before the rule: the earliest meeting keeps them; a
    cancelled meeting's waiting topics go back to the list. PostgreSQL only: the constraint
    is dropped and restored inside the test's transaction (SQLite rebuilds the table)."""
    import importlib

    from django.apps import apps
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("DDL inside the test's transaction needs PostgreSQL")
    migration = importlib.import_module("linli.meetings.migrations.0004_agenda_topic_pending_once")
    constraint = next(
        c for c in AgendaItem._meta.constraints if c.name == "agenda_topic_pending_once"
    )
    secretary = demo.user("secretary")
    now = timezone.now()
    first = meeting(series, secretary, now + timedelta(days=5), "第一次")
    second = meeting(series, secretary, now + timedelta(days=35), "第二次")
    called_off = meeting(series, secretary, now + timedelta(days=65), "取消的")
    study = services.topic_create(actor=secretary, series=series, title="停车研究")
    lights = services.topic_create(actor=secretary, series=series, title="楼道灯")
    with connection.schema_editor() as editor:
        editor.remove_constraint(AgendaItem, constraint)
    for m in (second, first):
        AgendaItem.objects.create(meeting=m, topic=study, position=1)
    AgendaItem.objects.create(meeting=called_off, topic=lights, position=1)
    Meeting.objects.filter(pk=called_off.pk).update(status=MeetingStatus.CANCELLED)

    migration.one_pending_item_per_topic(apps, None)
    # (The constraint comes back with the test's rollback.)
    assert [i.meeting_id for i in AgendaItem.objects.filter(topic=study)] == [first.pk]
    assert not AgendaItem.objects.filter(topic=lights).exists()
