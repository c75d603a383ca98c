"""Reads of the register within the asking user's scope. A resident or household outside it
is reported missing (Http404)."""

from datetime import date

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from linli.accounts.roles import EXPORT_RESIDENTS, MANAGE_RESIDENTS, VIEW_RESIDENTS
from linli.accounts.scope import scope_of
from linli.core.access import access_by_id
from linli.core.crypto import lookup_hash
from linli.core.ids import is_valid_id
from linli.core.validators import looks_like_mobile, normalise_mobile
from linli.places.models import Place, PlaceKind
from linli.places.selectors import within_place

from .idnumbers import ID_RE
from .models import (
    CHILD_AGE,
    ELDERLY_AGE,
    STORED_TAGS,
    Household,
    ImportJob,
    Relation,
    Resident,
    ResidentStatus,
    Tag,
)

# The head first, then spouse, parents, children, others.
RELATION_ORDER = Case(
    *[
        When(relation=relation, then=Value(index))
        for index, relation in enumerate(
            [Relation.HEAD, Relation.SPOUSE, Relation.PARENT, Relation.CHILD, Relation.OTHER]
        )
    ],
    default=Value(9),
    output_field=IntegerField(),
)

AGE_BANDS = {
    "0-13": (0, 13),
    "14-17": (14, 17),
    "18-34": (18, 34),
    "35-59": (35, 59),
    "60-64": (60, 64),
    "65-79": (65, 79),
    "80+": (80, 200),
}


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def born_between(min_age: int, max_age: int, today: date | None = None) -> Q:
    """Residents aged min_age..max_age (inclusive) today."""
    today = today or date.today()
    latest = _years_ago(today, min_age)  # born on or before this date
    earliest = _years_ago(today, max_age + 1)  # born after this date
    return Q(birth_date__lte=latest, birth_date__gt=earliest)


def tag_q(tag: str, today: date | None = None) -> Q:
    if tag == Tag.ELDERLY:
        return born_between(ELDERLY_AGE, 200, today)
    if tag == Tag.CHILD:
        return born_between(0, CHILD_AGE - 1, today)
    if tag in STORED_TAGS:
        return Q(**{tag: True})
    return Q(pk__in=[])


def search_q(q: str) -> Q:
    """Name (Chinese, pinyin or pinyin initials), or an exact ID or mobile number through
    their keyed hashes, never by decrypting the table."""
    q = q.strip()
    if not q:
        return Q()
    compact = q.replace(" ", "").upper()
    if ID_RE.match(compact):
        return Q(id_number_hash=lookup_hash(compact))
    if looks_like_mobile(q):
        return Q(phone_hash=lookup_hash(normalise_mobile(q)))
    if q.isascii():
        key = compact.lower()
        return Q(name_initials__prefix=key) | Q(name_pinyin__prefix=key)
    return Q(name__contains=q)


def resident_list(
    *,
    user,
    place: int | None = None,
    tag: str | None = None,
    q: str | None = None,
    age_band: str | None = None,
    status: str | None = ResidentStatus.LIVING,
    for_export: bool = False,
) -> QuerySet:
    scope = scope_of(user)
    roles = EXPORT_RESIDENTS if for_export else VIEW_RESIDENTS
    qs = Resident.objects.filter(scope.q(roles=roles, field="place__path")).select_related("place")
    if status:
        qs = qs.filter(status=status)
    if place is not None:
        qs = within_place(qs, place, "place__path")
    if tag:
        qs = qs.filter(tag_q(tag))
    if age_band in AGE_BANDS:
        qs = qs.filter(born_between(*AGE_BANDS[age_band]))
    if q:
        qs = qs.filter(search_q(q))
    return qs.order_by("place__path", RELATION_ORDER, "id")


def resident_get(*, user, pk) -> Resident:
    return access_by_id(
        Resident.objects.select_related("place", "household"),
        pk=pk,
        user=user,
        perm="residents.view_resident",
    )


def household_list(*, user, place: int | None = None) -> QuerySet:
    scope = scope_of(user)
    qs = Household.objects.filter(
        scope.q(roles=VIEW_RESIDENTS, field="place__path"), is_active=True
    )
    if place is not None:
        qs = within_place(qs, place, "place__path")
    return qs.select_related("place").order_by("place__path")


def household_get(*, user, pk) -> Household:
    return access_by_id(
        Household.objects.select_related("place"), pk=pk, user=user, perm="residents.view_household"
    )


def household_members(*, household: Household) -> QuerySet:
    return (
        Resident.objects.filter(household=household)
        .select_related("place")
        .order_by("status", RELATION_ORDER, "birth_date")
    )


# -- imports ------------------------------------------------------------------------------------


def import_compounds(*, user) -> list[Place]:
    """The compounds this user may import residents into."""
    candidates = (
        Place.objects.filter(kind=PlaceKind.COMPOUND)
        .filter(scope_of(user).q(roles=MANAGE_RESIDENTS, field="path"))
        .order_by("path")
    )
    return [place for place in candidates if user.has_perm("residents.add_resident", place)]


def import_job_list(*, user, limit: int = 10) -> list[ImportJob]:
    return list(
        ImportJob.objects.filter(created_by=user).select_related("compound").order_by("-pk")[:limit]
    )


def import_job_queued_at(*, job: ImportJob):
    """When the job's running step was queued for the task worker: its latest step (the
    upload, or the confirmation)."""
    return job.events.order_by("-at", "-id").values_list("at", flat=True).first()


def import_job_get(*, user, pk) -> ImportJob:
    """A job, for its creator only (while they still may manage residents); anyone else is
    told it does not exist."""
    if not is_valid_id(pk) or not user.has_perm("residents.add_resident", None):
        raise Http404("No such import.")
    job = ImportJob.objects.select_related("compound").filter(pk=pk, created_by=user).first()
    if job is None:
        raise Http404("No such import.")
    return job
