"""Volunteers in the Django admin: read-only lists and pages within the user's scope (the
staff over the group's place see its group, shift types, volunteers and assignments; the
property company and the street see none), and no volunteer's ID or phone number on any of
them."""

import pytest
from django.contrib.admin.sites import site

from linli.accounts.models import User
from linli.core.crypto import EncryptedTextField
from linli.volunteers import services
from linli.volunteers.models import Assignment, ShiftType, Volunteer, VolunteerGroup

from .volunteers_helpers import join, make_group, make_shift, make_type, secretary

pytestmark = pytest.mark.django_db
PHONE, ID_NUMBER = "13912345678", "140202199001011234"


@pytest.fixture
def staff(english):
    def sign_in(username):
        User.objects.filter(username=username).update(is_staff=True)
        return english(username)

    return sign_in


@pytest.fixture
def world(demo):
    group = make_group(name="管理后台小组")
    shift_type = make_type(group, name="后台值班")
    volunteer = services.volunteer_register(
        actor=secretary(), name="韩梅", school="大同大学", phone=PHONE, id_number=ID_NUMBER
    )
    join(volunteer, group)
    shift = make_shift(shift_type)
    assignment = services.shift_assign(actor=secretary(), shift=shift, volunteer=volunteer)
    return group, shift_type, volunteer, assignment


def test_no_admin_of_volunteers_names_an_encrypted_field():
    for model in (VolunteerGroup, ShiftType, Volunteer, Assignment):
        admin = site._registry[model]
        encrypted = {f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)}
        shown = set(admin.fields or ()) | set(admin.list_display) | set(admin.search_fields)
        assert not encrypted & shown, model


def test_the_staff_read_their_groups_and_nothing_changes(staff, world):
    group, shift_type, volunteer, assignment = world
    client = staff("secretary")
    for path in (
        "/admin/volunteers/volunteergroup/",
        f"/admin/volunteers/volunteergroup/{group.pk}/change/",
        f"/admin/volunteers/shifttype/{shift_type.pk}/change/",
        f"/admin/volunteers/volunteer/{volunteer.pk}/change/",
        f"/admin/volunteers/assignment/{assignment.pk}/change/",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        text = page.content.decode()
        assert PHONE not in text and ID_NUMBER not in text and PHONE[-4:] + "<" not in text
    assert "管理后台小组" in client.get("/admin/volunteers/volunteergroup/").content.decode()
    posted = client.post(
        f"/admin/volunteers/volunteergroup/{group.pk}/change/", {"name": "改名", "kind": "other"}
    )
    assert posted.status_code == 403
    assert VolunteerGroup.objects.get(pk=group.pk).name == "管理后台小组"


def test_property_staff_and_the_street_see_no_volunteers(staff, world):
    group, _type, volunteer, _assignment = world
    for username in ("property", "street"):
        client = staff(username)
        for model in ("volunteergroup", "volunteer", "shifttype", "assignment"):
            assert client.get(f"/admin/volunteers/{model}/").status_code == 403, (username, model)
        page = client.get(f"/admin/volunteers/volunteer/{volunteer.pk}/change/")
        assert page.status_code in (302, 403, 404)
