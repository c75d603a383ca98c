"""The admin changes configuration through the apps' services (core.admin
ServiceSavedAdmin): a room or an item added or changed there is checked and audited like
one changed on the pages."""

import json

import pytest
from django.contrib.admin.sites import site
from django.forms.models import model_to_dict

from linli.bookings.models import Room
from linli.core.models import AuditEvent
from linli.lending.models import Item

pytestmark = pytest.mark.django_db
CENTRE = "平城区/鹿苑街道/站东社区/南官房小区/党支部服务中心"


def _save(rf, user, model, instance, **changes):
    admin = site._registry[model]
    request = rf.post("/")
    request.user = user
    form_class = admin.get_form(request, instance, change=instance is not None)
    initial = model_to_dict(instance) if instance else {}
    data = {
        k: json.dumps(v) if isinstance(v, list | dict) else v
        for k, v in initial.items()
        if v is not None
    }
    data.update(changes)
    form = form_class(data, instance=instance)
    assert form.is_valid(), form.errors
    obj = form.save(commit=False)
    admin.save_model(request, obj, form, change=instance is not None)
    return obj


def test_a_room_added_and_changed_in_the_admin_goes_through_the_services(rf, demo):
    admin = demo.user("admin")
    centre = demo.place(CENTRE)
    added = _save(
        rf, admin, Room, None, place=centre.pk, name="书画室", kind="recreation",
        capacity=12, opens="08:00", closes="20:00", open_weekdays="[0, 1, 2, 3, 4]",
        bookable_by="residents", purposes='["meeting"]', max_days_ahead=14,
        min_notice_hours=2, max_hours=4, max_active_per_household=2,
    )  # fmt: skip
    room = Room.objects.get(pk=added.pk)
    assert room.name == "书画室" and room.place == centre
    assert AuditEvent.objects.filter(action="bookings.room.create", object_id=str(room.pk))
    _save(rf, admin, Room, room, capacity=20)
    assert Room.objects.get(pk=room.pk).capacity == 20
    change = AuditEvent.objects.get(action="bookings.room.change", object_id=str(room.pk))
    assert change.details["capacity"] == "20"


def test_an_item_changed_in_the_admin_goes_through_the_services(rf, demo):
    item = Item.objects.filter(is_active=True).first()
    more = item.quantity + 1
    _save(rf, demo.user("admin"), Item, item, quantity=more)
    assert Item.objects.get(pk=item.pk).quantity == more
    change = AuditEvent.objects.filter(action="lending.item.change", object_id=str(item.pk))[0]
    assert change.details == {"quantity": str(more)}
