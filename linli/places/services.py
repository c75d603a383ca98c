"""Every write to places and organisations. Paths and name paths are kept consistent here."""

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from linli.core.actors import user_or_none
from linli.core.audit import audit_record
from linli.core.errors import LinliError
from linli.core.lifecycle import check_perm, require_actor

from . import tree
from .models import PATH_SEPARATOR, Membership, Organisation, Place


def _name_path(parent: Place | None, name: str) -> str:
    return f"{parent.name_path}{PATH_SEPARATOR}{name}" if parent else name


@transaction.atomic
def place_create(
    *,
    actor,
    kind: str,
    name: str,
    parent: Place | None,
    code: str = "",
    name_en: str = "",
    address: str = "",
    sort_key: int = 0,
    request=None,
) -> Place:
    check_perm(actor, "places.add_place", parent)
    place = Place(
        kind=kind,
        name=name.strip(),
        parent=parent,
        code=code.strip(),
        name_en=name_en.strip(),
        address=address.strip(),
        sort_key=sort_key,
    )
    place.name_path = _name_path(parent, place.name)
    place.full_clean(exclude=["path"])
    place.save()
    place.path = tree.child_path(parent.path if parent else "", place.pk)
    place.save(update_fields=["path"])
    # The system's set-up (the demo, the generator) is not in the audit log.
    if user_or_none(actor) is not None:
        audit_record(actor=actor, action="place.create", obj=place, request=request)
    return place


@transaction.atomic
def places_bulk_create(*, actor, parent: Place, kind: str, names: list[str]) -> list[Place]:
    """Create many children of one parent in two statements (for the demo and the city-scale
    generator). Names are trusted here: callers generate them."""
    check_perm(actor, "places.add_place", parent)
    start = Place.objects.filter(parent=parent).count()
    places = [
        Place(
            kind=kind,
            name=name,
            parent=parent,
            sort_key=start + index,
            name_path=_name_path(parent, name),
        )
        for index, name in enumerate(names)
    ]
    if places:
        Place(kind=kind, name=names[0], parent=parent).clean()
    Place.objects.bulk_create(places, batch_size=2000)
    for place in places:
        place.path = tree.child_path(parent.path, place.pk)
    Place.objects.bulk_update(places, ["path"], batch_size=2000)
    return places


def _rewrite_subtree(place: Place, *, field: str, old_prefix: str, new_prefix: str) -> int:
    """Replace ``old_prefix`` by ``new_prefix`` at the start of ``field`` for the place and all
    its descendants, in one UPDATE."""
    return Place.objects.filter(tree.subtree_q(place.path)).update(
        **{
            field: Concat(
                Value(new_prefix), Substr(F(field), len(old_prefix) + 1, Length(F(field)))
            )
        }
    )


@transaction.atomic
def place_update(
    *,
    actor,
    place: Place,
    name: str | None = None,
    name_en: str | None = None,
    code: str | None = None,
    address: str | None = None,
    sort_key: int | None = None,
    request=None,
) -> Place:
    place = Place.objects.select_for_update().get(pk=place.pk)
    check_perm(actor, "places.change_place", place)
    old_name_path = place.name_path
    changes = {}
    for field, value in (
        ("name", name),
        ("name_en", name_en),
        ("code", code),
        ("address", address),
    ):
        if value is not None and value.strip() != getattr(place, field):
            changes[field] = [getattr(place, field), value.strip()]
            setattr(place, field, value.strip())
    if sort_key is not None and sort_key != place.sort_key:
        changes["sort_key"] = [place.sort_key, sort_key]
        place.sort_key = sort_key
    if not changes:
        return place
    place.full_clean(exclude=["path", "name_path"])
    place.save()
    if "name" in changes:
        new_name_path = _name_path(place.parent, place.name)
        _rewrite_subtree(
            place, field="name_path", old_prefix=old_name_path, new_prefix=new_name_path
        )
        place.name_path = new_name_path
    audit_record(actor=actor, action="place.update", obj=place, request=request, details=changes)
    return place


@transaction.atomic
def place_move(*, actor, place: Place, new_parent: Place, request=None) -> Place:
    place = Place.objects.select_for_update().get(pk=place.pk)
    new_parent = Place.objects.select_for_update().get(pk=new_parent.pk)
    check_perm(actor, "places.change_place", place)
    check_perm(actor, "places.add_place", new_parent)
    if tree.in_subtree(new_parent.path, place.path):
        raise LinliError(_("A place cannot be moved into itself or below itself."), code="cycle")
    if new_parent.pk == place.parent_id:
        return place
    old_parent = place.parent
    place.parent = new_parent
    place.full_clean(exclude=["path", "name_path"])
    old_path, old_name_path = place.path, place.name_path
    new_path = tree.child_path(new_parent.path, place.pk)
    new_name_path = _name_path(new_parent, place.name)
    place.save(update_fields=["parent"])
    # Names first: the subtree is still found under the old path.
    _rewrite_subtree(place, field="name_path", old_prefix=old_name_path, new_prefix=new_name_path)
    _rewrite_subtree(place, field="path", old_prefix=old_path, new_prefix=new_path)
    place.path, place.name_path = new_path, new_name_path
    audit_record(
        actor=actor,
        action="place.move",
        obj=place,
        request=request,
        details={"from": old_parent.name_path if old_parent else "", "to": new_parent.name_path},
    )
    return place


@transaction.atomic
def organisation_create(
    *,
    actor,
    name: str,
    kind: str,
    place: Place,
    parent: Organisation | None = None,
    name_en: str = "",
    phone: str = "",
    description: str = "",
    request=None,
) -> Organisation:
    require_actor(actor)
    organisation = Organisation(
        name=name.strip(),
        kind=kind,
        place=place,
        parent=parent,
        name_en=name_en.strip(),
        phone=phone.strip(),
        description=description.strip(),
    )
    organisation.full_clean()
    organisation.save()
    if user_or_none(actor) is not None:
        audit_record(actor=actor, action="organisation.create", obj=organisation, request=request)
    return organisation


@transaction.atomic
def membership_add(
    *, actor, user, organisation: Organisation, title: str = "", request=None
) -> Membership:
    require_actor(actor)
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"title": title}
    )
    if not created and title and membership.title != title:
        membership.title = title
        membership.full_clean()
        membership.save(update_fields=["title"])
    if user_or_none(actor) is not None and created:
        audit_record(
            actor=actor,
            action="organisation.member_add",
            obj=organisation,
            request=request,
            details={"user": user.get_username(), "title": title},
        )
    return membership


ORGANISATION_FIELDS = (
    "name",
    "name_en",
    "kind",
    "place",
    "parent",
    "phone",
    "description",
    "is_active",
)


@transaction.atomic
def organisation_update(
    *, actor, organisation: Organisation, request=None, **fields
) -> Organisation:
    require_actor(actor)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changes = {}
    for field, value in fields.items():
        if field not in ORGANISATION_FIELDS:
            raise TypeError(f"organisation_update() got an unexpected field {field!r}")
        if isinstance(value, str):
            value = value.strip()
        if getattr(organisation, field) != value:
            changes[field] = [str(getattr(organisation, field)), str(value)]
            setattr(organisation, field, value)
    if changes:
        organisation.full_clean()
        organisation.save()
        audit_record(
            actor=actor,
            action="organisation.update",
            obj=organisation,
            request=request,
            details=changes,
        )
    return organisation
