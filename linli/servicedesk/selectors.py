"""Reads of the service desk's catalogue: listed matters for anyone, and those taken out of
it for the people who keep the catalogue, each page in a bounded number of queries."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from linli.accounts.roles import MANAGE_CATALOGUE, SERVE_DESK
from linli.accounts.scope import scope_of
from linli.core.access import access_by_id
from linli.places.selectors import within_place

from .models import (
    OPEN_CASE_STATUSES,
    Case,
    CaseChannel,
    CaseEvent,
    CaseMaterial,
    CaseStatus,
    Consultation,
    Material,
    Matter,
    MatterVersion,
    OriginalCustody,
    ProxyAuthorisation,
    ProxyFile,
)

MAX_QUERY = 60


def matter_list(
    *, user, q: str = "", kind: str = "", code: str = "", unlisted: bool = False
) -> QuerySet:
    """The catalogue: matters in it, with their current versions; with ``unlisted``, only
    those taken out of it that the user keeps."""
    if unlisted:
        visible = Q(is_active=False) & scope_of(user).q(roles=MANAGE_CATALOGUE)
    else:
        visible = Q(is_active=True)
    matters = Matter.objects.filter(visible, current__isnull=False).select_related(
        "current", "place"
    )
    if kind:
        matters = matters.filter(kind=kind)
    if code:
        matters = matters.filter(code=code)
    q = q.strip()[:MAX_QUERY]
    if q:
        matters = matters.filter(
            Q(current__name__icontains=q)
            | Q(current__name_en__icontains=q)
            | Q(code__icontains=q)
            | Q(current__department__icontains=q)
        )
    return matters.order_by("kind", "code")


def matter_get_by_id(*, user, pk) -> Matter:
    """One matter by its id (the API's way), 404 alike for missing and not visible."""
    return access_by_id(
        Matter.objects.filter(current__isnull=False).select_related("place", "current"),
        pk=pk,
        user=user,
        perm="servicedesk.view_matter",
    )


def matter_get(*, user, code: str) -> Matter:
    """One matter by its code, or 404 alike for a missing one and one the user may not see."""
    matter = (
        Matter.objects.filter(code=code[:40], current__isnull=False)
        .select_related("place", "current")
        .first()
    )
    if matter is None or not user.has_perm("servicedesk.view_matter", matter):
        raise Http404("Not found.")
    return matter


def version_get(*, matter: Matter, number: int | None) -> MatterVersion:
    """A version of the matter with its situations and materials (the current one when
    ``number`` is None), or 404."""
    versions = MatterVersion.objects.filter(matter=matter).prefetch_related(
        "situations",
        Prefetch(
            "materials",
            queryset=Material.objects.prefetch_related("situations").order_by("position", "id"),
        ),
    )
    if number is None:
        version = versions.filter(pk=matter.current_id).first()
    else:
        version = versions.filter(number=number).first()
    if version is None:
        raise Http404("Not found.")
    return version


def version_history(*, matter: Matter) -> list[MatterVersion]:
    return list(
        MatterVersion.objects.filter(matter=matter)
        .only("matter_id", "number", "published_at", "change_note", "name")
        .order_by("-number")
    )


@dataclass
class Checklist:
    """What to bring: the materials every applicant brings, and those of each situation."""

    common: list[Material]
    by_situation: list[tuple[object, list[Material]]]

    @property
    def is_empty(self) -> bool:
        return not self.common and not any(materials for _s, materials in self.by_situation)


def checklist(version: MatterVersion, situation_id: int | None = None) -> Checklist:
    """The version's materials (prefetched by ``version_get``): all of them grouped by
    situation, or, for one situation, exactly what an applicant in it brings."""
    situations = list(version.situations.all())
    materials = list(version.materials.all())
    common = [m for m in materials if not m.situations.all()]
    chosen = [s for s in situations if situation_id is None or s.pk == situation_id]
    by_situation = [
        (s, [m for m in materials if any(x.pk == s.pk for x in m.situations.all())]) for s in chosen
    ]
    return Checklist(common=common, by_situation=by_situation)


def catalogue_places(*, user) -> QuerySet:
    """The districts and streets whose catalogues the user keeps (the new matter form's
    choice list)."""
    from linli.places.models import Place

    return Place.objects.filter(
        scope_of(user).q(roles=MANAGE_CATALOGUE, field="path"), kind__in=("district", "street")
    ).order_by("path")


# -- cases ------------------------------------------------------------------------------------


def _visible_cases_q(user) -> Q:
    """The cases of the compounds the user serves at the desk, and the user's own."""
    visible = scope_of(user).q(roles=SERVE_DESK, field="place__path")
    if getattr(user, "is_authenticated", False):
        visible |= Q(resident__user_id=user.pk)
    return visible


def case_list(
    *, user, status: str = "", open_only: bool = False, mine: bool = False, place: int | None = None
) -> QuerySet:
    """The cases the user may see, newest first."""
    cases = Case.objects.filter(_visible_cases_q(user))
    if mine:
        cases = cases.filter(resident__user_id=user.pk) if user.is_authenticated else cases.none()
    if status:
        cases = cases.filter(status=status)
    elif open_only:
        cases = cases.filter(status__in=OPEN_CASE_STATUSES)
    if place is not None:
        cases = within_place(cases, place, "place__path")
    # What the steps' guards ask of each row (see services._case_guard), in the same query.
    cases = cases.annotate(
        has_missing=Exists(CaseMaterial.objects.filter(case=OuterRef("pk"), received=False)),
        holds_originals=Exists(
            OriginalCustody.objects.filter(proxy__case=OuterRef("pk"), returned_at__isnull=True)
        ),
    )
    return cases.select_related("place", "version__matter", "situation", "resident").order_by(
        "-created_at", "-id"
    )


def cases_due(*, user, by, limit: int = 20) -> list[Case]:
    """The reminder at the desk: accepted or forwarded cases the user serves that are due by
    ``by`` (a date) or overdue, the soonest first."""
    return list(
        Case.objects.filter(
            scope_of(user).q(roles=SERVE_DESK, field="place__path"),
            status__in=(CaseStatus.ACCEPTED, CaseStatus.FORWARDED),
            due_on__lte=by,
        )
        .select_related("place", "version__matter", "situation", "resident")
        .order_by("due_on", "id")[:limit]
    )


def case_get(*, user, pk) -> Case:
    """One case, or 404 alike for a missing one and one the user may not see."""
    return access_by_id(
        Case.objects.select_related(
            "place", "version__matter", "situation", "resident", "handled_by", "opened_by"
        ),
        pk=pk,
        user=user,
        perm="servicedesk.view_case",
    )


def case_checklist(*, case: Case) -> list[CaseMaterial]:
    return list(
        CaseMaterial.objects.filter(case=case)
        .select_related("received_by")
        .order_by("position", "id")
    )


def case_timeline(*, case: Case) -> QuerySet:
    return CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id")


def desk_residents(*, user, q: str, limit: int = 20) -> list:
    """The residents the desk may open cases for who match ``q`` (the register's own search:
    name, pinyin, or an exact ID or mobile number), living here."""
    from linli.residents.selectors import resident_list

    q = q.strip()[:MAX_QUERY]
    if not q:
        return []
    return list(resident_list(user=user, q=q)[:limit])


def desk_matters() -> list[Matter]:
    """The matters a case can be opened for: those in the catalogue."""
    return list(
        Matter.objects.filter(is_active=True, current__isnull=False)
        .select_related("current")
        .order_by("kind", "code")
    )


# -- policy consultations (政策咨询) -------------------------------------------------------------


def _visible_consultations_q(user) -> Q:
    """The consultations answered at the desks the user serves, and those the user asked."""
    visible = scope_of(user).q(roles=SERVE_DESK, field="place__path")
    if getattr(user, "is_authenticated", False):
        visible |= Q(resident__user_id=user.pk)
    return visible


def consultation_list(
    *,
    user,
    month: date | None = None,
    matter: int | None = None,
    mine: bool = False,
    place: int | None = None,
) -> QuerySet:
    """The consultations the user may see, the latest first; ``month``: any day of the month
    (local time) whose consultations are listed."""
    consultations = Consultation.objects.filter(_visible_consultations_q(user))
    if mine:
        consultations = (
            consultations.filter(resident__user_id=user.pk)
            if user.is_authenticated
            else consultations.none()
        )
    if month is not None:
        consultations = consultations.filter(
            answered_at__date__gte=month.replace(day=1),
            answered_at__date__lt=_next_month(month),
        )
    if matter is not None:
        consultations = consultations.filter(matter_id=matter)
    if place is not None:
        consultations = within_place(consultations, place, "place__path")
    return consultations.select_related(
        "place", "resident", "matter__current", "answered_by", "case", "work_order"
    ).order_by("-answered_at", "-id")


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def consultation_get(*, user, pk):
    """One consultation, or 404 alike for a missing one and one the user may not see."""
    return access_by_id(
        Consultation.objects.select_related(
            "place", "resident__place", "matter__current", "answered_by", "case", "work_order"
        ),
        pk=pk,
        user=user,
        perm="servicedesk.view_consultation",
    )


def consultation_matters(*, user) -> list[Matter]:
    """The matters the desk's consultations name (the list's filter), and those listed."""
    asked = Consultation.objects.filter(_visible_consultations_q(user)).values("matter_id")
    return list(
        Matter.objects.filter(Q(is_active=True) | Q(pk__in=asked), current__isnull=False)
        .select_related("current")
        .order_by("kind", "code")
    )


def own_resident(*, user):
    """The user's own register entry, living here (a resident acting for themselves)."""
    from linli.residents.models import Resident, ResidentStatus

    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Resident.objects.filter(user_id=user.pk, status=ResidentStatus.LIVING)
        .select_related("place")
        .first()
    )


def online_cases_new(*, user, limit: int = 20) -> list[Case]:
    """Cases residents of the compounds the user serves started online and the desk has not
    taken up yet (still consulted), the oldest first."""
    return list(
        Case.objects.filter(
            scope_of(user).q(roles=SERVE_DESK, field="place__path"),
            channel=CaseChannel.ONLINE,
            status=CaseStatus.CONSULTED,
        )
        .select_related("place", "version__matter", "situation", "resident")
        .order_by("created_at", "id")[:limit]
    )


def desk_compounds(*, user) -> list:
    """The compounds whose desk the user serves (where a consultation may be recorded)."""
    from linli.places.models import Place

    return list(
        Place.objects.filter(
            scope_of(user).q(roles=SERVE_DESK, field="path"), kind="compound"
        ).order_by("path")
    )


# -- 代办 -------------------------------------------------------------------------------------


def _custody_rows():
    return OriginalCustody.objects.select_related("taken_by", "returned_by", "material").order_by(
        "taken_at", "id"
    )


def case_proxies(*, case: Case) -> list[ProxyAuthorisation]:
    """The case's 代办, the one in force first, then the revoked ones, newest first; each
    with its custody log (``originals``) prefetched: two queries whatever their number."""
    proxies = list(
        ProxyAuthorisation.objects.filter(case=case)
        .select_related("letter", "id_checked_by", "revoked_by", "created_by")
        .prefetch_related(Prefetch("originals", queryset=_custody_rows()))
        .order_by("-created_at", "-id")
    )
    proxies.sort(key=lambda proxy: proxy.status == "revoked")
    for proxy in proxies:
        proxy.case = case
    return proxies


def proxy_get(*, user, pk) -> ProxyAuthorisation:
    """One 代办 with its case, or 404 alike for a missing one and one the user may not see."""
    return access_by_id(
        ProxyAuthorisation.objects.select_related(
            "case__place",
            "case__resident",
            "case__version__matter",
            "case__situation",
            "case__handled_by",
            "letter",
            "id_checked_by",
            "revoked_by",
            "created_by",
        ).prefetch_related(Prefetch("originals", queryset=_custody_rows())),
        pk=pk,
        user=user,
        perm="servicedesk.view_proxy",
    )


def custody_get(*, proxy: ProxyAuthorisation, pk) -> OriginalCustody:
    """A line of the 代办's custody log (the 代办 already found visible), or 404."""
    line = next((line for line in proxy.originals.all() if line.pk == pk), None)
    if line is None:
        raise Http404("Not found.")
    line.proxy = proxy
    return line


def proxy_file_get(*, user, pk) -> ProxyFile:
    """A letter or a signature of a 代办 the user may see, or 404 alike."""
    row = access_by_id(
        ProxyFile.objects.select_related("proxy__case__place", "proxy__case__resident"),
        pk=pk,
        user=user,
        perm=None,
    )
    if not user.has_perm("servicedesk.view_proxy", row.proxy):
        raise Http404("Not found.")
    return row


def cases_to_remind(*, today) -> list[Case]:
    """The cases whose desk the reminder job tells of a deadline (the job, as SYSTEM: every
    compound): accepted or forwarded, due by the next working day and not reminded of that
    date, or overdue and not reminded of that yet."""
    from linli.core.workdays import next_working_day

    soon = next_working_day(today)
    due = Q(due_on__gte=today, due_on__lte=soon) & (
        Q(due_reminded_on__isnull=True) | ~Q(due_reminded_on=F("due_on"))
    )
    overdue = Q(due_on__lt=today, overdue_reminded_at__isnull=True)
    return list(
        Case.objects.filter(due | overdue, status__in=(CaseStatus.ACCEPTED, CaseStatus.FORWARDED))
        .select_related("place", "version", "resident", "handled_by")
        .order_by("due_on", "id")
    )
