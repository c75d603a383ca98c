"""The audit log as an administrator reads it (issue 14, item 10): actions by their labels,
objects by their names, people by their names; filters by person, action and days, with a
clear word for a filter that cannot be read; pages by number, first, last and a jump; a page
of many events of many kinds costs a bounded number of queries."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from linli.core.audit import audit_record
from linli.core.audit_labels import ACTION_LABELS, OBJECT_NAMES, _model, _related_path
from linli.core.models import AuditEvent
from linli.health.models import HealthCard
from linli.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

URL = "/accounts/audit/"


@pytest.fixture
def card(demo):
    return HealthCard.objects.select_related("resident").filter(
        resident__household__place__path__startswith=demo.nanguanfang.path
    ).first() or pytest.skip("the demo world holds no health card in the compound")


def rows(html: str) -> list[str]:
    body = html[html.index('data-testid="audit-events"') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def test_events_read_as_people_say_them(demo, english, card):
    doctor = demo.user("doctor")
    audit_record(actor=doctor, action="health.card.read", obj=card)
    html = english("street").get(URL).content.decode()
    first = rows(html)[0]
    assert "Health card read" in first
    assert ">health.card.read<" not in first  # the code only as a hint (title)
    assert f"health help card · {card.resident.name}" in first
    assert doctor.display_name in first and ">doctor<" not in first
    assert f"health card {card.pk}" not in first


def test_every_recorded_action_has_a_label_and_every_object_path_resolves():
    """Each action code written in the source is in the one registry of labels."""
    import pathlib

    source = pathlib.Path(__file__).resolve().parents[1] / "linli"
    written = set()
    for path in source.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"audit_record\((.*?)\)\n", text, re.S):
            written |= set(re.findall(r'action="([a-z_.]+)"', call.group(1)))
    written |= set(
        re.findall(
            r'_ACTION = "([a-z_.]+)"',
            "".join(p.read_text(encoding="utf-8") for p in source.rglob("generate.py")),
        )
    )
    from linli.core.lifecycle import LIFECYCLES

    for lifecycle in LIFECYCLES.values():
        if lifecycle.audit_prefix:
            written |= {f"{lifecycle.audit_prefix}.{name}" for name in lifecycle.steps}
    missing = sorted(code for code in written if code not in ACTION_LABELS)
    assert not missing, missing
    for object_type, path in OBJECT_NAMES.items():
        model = _model(object_type)
        assert model is not None, object_type
        if "." in path:
            assert _related_path(model, path), (object_type, path)


def test_filter_by_person_action_and_days(demo, english):
    doctor, community = demo.user("doctor"), demo.user("community")
    audit_record(actor=doctor, action="place.update", obj=demo.nanguanfang)
    audit_record(actor=community, action="place.update", obj=demo.nanguanfang)
    audit_record(actor=community, action="place.create", obj=demo.nanguanfang)
    client = english("street")
    today = timezone.localdate()

    mine = client.get(URL, {"person": doctor.username, "action": "place.update"})
    assert mine.status_code == 200
    found = rows(mine.content.decode())
    assert len(found) == mine.context["page"].paginator.count
    assert all(doctor.display_name in row and "Place changed" in row for row in found)

    by_name = client.get(URL, {"person": community.display_name[:1], "action": "place.create"})
    assert community.display_name in by_name.content.decode()
    assert by_name.context["page"].paginator.count >= 1

    day = client.get(URL, {"since": today.isoformat(), "until": today.isoformat()})
    assert day.context["page"].paginator.count >= 3
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert client.get(URL, {"since": tomorrow}).context["page"].paginator.count == 0
    yesterday = (today - timedelta(days=1)).isoformat()
    before = client.get(URL, {"until": yesterday, "person": doctor.username})
    assert before.context["page"].paginator.count == 0


@pytest.mark.parametrize(
    "query, says",
    [
        ({"since": "2026-13-45"}, "Enter a valid date"),
        ({"since": "2026-12-20", "until": "2026-12-01"}, "comes before the first"),
        ({"since": "1066-10-14"}, "between 2000 and 2100"),
        ({"action": "health.card.eat"}, "Select a valid choice"),
        ({"person": "x" * 500}, "at most 150"),
        ({"page": "abc"}, None),
        ({"page": "999999"}, None),
    ],
)
def test_bad_filters_are_told_not_a_500(english, query, says):
    response = english("district").get(URL, query)
    assert response.status_code == 200
    html = response.content.decode()
    if says:
        assert 'data-testid="filter-errors"' in html
        assert says in html
        assert "The filter could not be applied" in html


def many_events(demo, n: int, card):
    """``n`` events about objects of several kinds: places, orders, cards, users, rooms."""
    orders = list(WorkOrder.objects.filter(place__path__startswith=demo.nanguanfang.path)[:5])
    people = [demo.user(u) for u in ("doctor", "community", "secretary", "resident")]
    objects = [demo.nanguanfang, card, *orders, *people]
    actions = ["health.card.read", "place.update", "workorder.file", "grant.create"]
    for i in range(n):
        audit_record(
            actor=people[i % len(people)],
            action=actions[i % len(actions)],
            obj=objects[i % len(objects)],
            place_path=demo.nanguanfang.path,
        )


def test_pages_by_number_with_first_last_and_a_jump(demo, english, card):
    many_events(demo, 320, card)
    client = english("district")
    total = client.get(URL).context["page"].paginator.num_pages
    assert total >= 7
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.get(URL, {"since": since, "page": 4})
    page = response.context["page"]
    html = response.content.decode()
    pager = html[html.index('data-testid="pager"') :]
    pager = pager[: pager.index("</nav>")]
    assert 'aria-current="page">4<' in pager
    last = page.paginator.num_pages
    assert last >= 7

    def link(n):
        return f'href="?since={since}&amp;page={n}"'

    # First, last, the neighbours and a jump, each keeping the filter.
    assert f'{link(1)} aria-label="First page"' in pager
    assert f'{link(last)} aria-label="Last page"' in pager
    for n in (2, 3, 5, 6):
        assert link(n) in pager
    assert "…" in pager  # the pages between 6 and the last are left out
    assert 'name="page"' in pager and f'max="{last}"' in pager
    assert f'<input type="hidden" name="since" value="{since}">' in pager
    jumped = client.get(URL, {"since": since, "page": str(last)})
    assert jumped.context["page"].number == last


def test_a_page_of_many_kinds_of_objects_costs_a_bounded_number_of_queries(
    demo, client_for, card, django_assert_max_num_queries
):
    many_events(demo, 120, card)
    client = client_for("district")
    client.get(URL)  # session and caches warmed
    # Session, user, scope, the count and the page, one query per kind of object on it
    # (4 here: places, cards, orders, people) and the menu's (about 7): 16 when measured,
    # whatever the number of rows; headroom for the menu.
    with django_assert_max_num_queries(20):
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50
    with django_assert_max_num_queries(20):
        client.get(URL, {"page": 2, "person": "doctor", "since": "2020-01-01"})


def test_the_log_is_still_only_for_those_who_may_read_it(client_for):
    for username in ("community", "secretary", "resident", "patrol", "doctor", "volunteer"):
        assert client_for(username).get(URL, {"person": "admin"}).status_code == 404


def test_events_of_a_removed_object_keep_their_recorded_name(demo, english):
    AuditEvent.objects.create(
        actor=demo.user("district"),
        actor_name="district",
        action="place.update",
        object_type="places.place",
        object_id="987654321",
        object_repr="已撤销的小区",
        place_path=demo.nanguanfang.path,
    )
    html = english("district").get(URL).content.decode()
    assert "已撤销的小区" in rows(html)[0]
