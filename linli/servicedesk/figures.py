"""The service desk's figures (SPEC 3.6, issue 15 item 7): matters handled per matter,
channel, worker and month, with forwarded and refused cases counted apart; the
consultations beside them; and the cases and consultations that would otherwise have been a
12345 call, set beside the compound's 12345 transfers. Counts only, no person in them, over
the places the user's desk or leadership covers; a fixed number of queries whatever the
number of cases.

Each figure has one definition, written here and shown on the page:
- *accepted* (受理): cases accepted in the period;
- *handled* (办结): cases closed in the period with the result handed over (whether the
  department approved or refused), of which *forwarded* went to a deciding department and
  *refused* were refused, and *代办* were handled on the resident's behalf under an
  authorisation in force;
- *consultations* (咨询): policy questions answered in the period;
- *would have called 12345*: cases opened and consultations answered in the period whose
  resident said they would otherwise have called the hotline;
- *12345 transfers*: work orders that came in from the 12345 hotline in the period, at the
  places concerned."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.roles import VIEW_DESK_FIGURES
from linli.accounts.scope import scope_of
from linli.places import tree
from linli.places.models import Place

from .models import (
    Case,
    CaseChannel,
    CaseEvent,
    CaseEventKind,
    Consultation,
    Matter,
    ProxyAuthorisation,
    ProxyStatus,
)

# The longest period one page or workbook covers.
MAX_FIGURES_DAYS = 731
COMPOUND_PATH_LENGTH = tree.SEGMENT * tree.KIND_DEPTH["compound"]


@dataclass
class Row:
    """One line of a breakdown: what it counts (``key``) and how it reads."""

    key: object
    label: str
    accepted: int = 0
    handled: int = 0
    forwarded: int = 0
    refused: int = 0
    proxied: int = 0
    consultations: int = 0


@dataclass
class Month:
    month: date
    opened: int = 0
    handled: int = 0
    consultations: int = 0
    hotline: int = 0


@dataclass
class Compound:
    place: Place
    cases: int = 0
    consultations: int = 0
    hotline: int = 0

    @property
    def averted(self) -> int:
        return self.cases + self.consultations


@dataclass
class Figures:
    start: date
    end: date
    total: Row
    by_matter: list[Row] = field(default_factory=list)
    by_channel: list[Row] = field(default_factory=list)
    by_worker: list[Row] = field(default_factory=list)
    by_month: list[Month] = field(default_factory=list)
    by_compound: list[Compound] = field(default_factory=list)


def last_twelve_months(today: date) -> tuple[date, date]:
    """The period a page shows unless asked otherwise: this month and the eleven before."""
    months = today.year * 12 + today.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1), today


def figures_place(*, user, place_id: int | None) -> Place | None:
    """The place figures are asked for (None: all the user's), 404 alike for one that does
    not exist and one outside the user's figures, and for a user who reads none."""
    from django.http import Http404

    from linli.places.selectors import place_get

    if not user.has_perm("servicedesk.view_figures"):
        raise Http404("Not found.")
    if place_id is None:
        return None
    place = place_get(user=user, pk=place_id)
    if not user.has_perm("servicedesk.view_figures", place):
        raise Http404("Not found.")
    return place


def _span(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time(0), tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone),
    )


def _scoped(user, place: Place | None, field: str) -> Q:
    condition = scope_of(user).q(roles=VIEW_DESK_FIGURES, field=field)
    if place is not None:
        condition &= tree.subtree_q(place.path, field)
    return condition


def _case_counts(cases, group: str, begin: datetime, until: datetime) -> dict:
    """Per value of ``group``: cases accepted, handled, forwarded and refused in the span."""
    accepted = Q(accepted_at__gte=begin, accepted_at__lt=until)
    handled = Q(done_at__gte=begin, done_at__lt=until)
    refused = CaseEvent.objects.filter(case=OuterRef("pk"), kind=CaseEventKind.REFUSED)
    proxied = ProxyAuthorisation.objects.filter(case=OuterRef("pk")).exclude(
        status=ProxyStatus.REVOKED
    )
    rows = (
        cases.filter(accepted | handled)
        .annotate(was_refused=Exists(refused), was_proxied=Exists(proxied))
        .values(group)
        .order_by(group)
        .annotate(
            accepted=Count("id", filter=accepted),
            handled=Count("id", filter=handled),
            forwarded=Count("id", filter=handled & Q(forwarded_at__isnull=False)),
            refused=Count("id", filter=handled & Q(was_refused=True)),
            proxied=Count("id", filter=handled & Q(was_proxied=True)),
        )
    )
    return {row[group]: row for row in rows}


def _consultation_counts(consultations, group: str) -> dict:
    rows = consultations.values(group).order_by(group).annotate(n=Count("id"))
    return {row[group]: row["n"] for row in rows}


def _breakdown(cases, consultations, group: str, consultation_group: str, begin, until):
    """Rows per value of ``group`` (their labels are given by the caller, once it knows the
    keys), the busiest first."""
    counted = _case_counts(cases, group, begin, until)
    asked = _consultation_counts(consultations, consultation_group)
    rows = []
    for key in set(counted) | set(asked):
        row = counted.get(key, {})
        rows.append(
            Row(
                key=key,
                label="",
                accepted=row.get("accepted", 0),
                handled=row.get("handled", 0),
                forwarded=row.get("forwarded", 0),
                refused=row.get("refused", 0),
                proxied=row.get("proxied", 0),
                consultations=asked.get(key, 0),
            )
        )
    return rows


def _labelled(rows: list[Row], labels: dict, missing: str) -> list[Row]:
    for row in rows:
        row.label = str(labels.get(row.key, missing))
    rows.sort(key=lambda r: (-r.handled, -r.consultations, r.label))
    return rows


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _by_month(queryset, field: str) -> dict[date, int]:
    zone = timezone.get_current_timezone()
    rows = (
        queryset.annotate(month=TruncMonth(field, tzinfo=zone))
        .values("month")
        .order_by("month")
        .annotate(n=Count("id"))
    )
    counts = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime):
            month = (
                timezone.localtime(month, zone).date() if timezone.is_aware(month) else month.date()
            )
        counts[month] = row["n"]
    return counts


def desk_figures(*, user, start: date, end: date, place: Place | None = None) -> Figures:
    """The desk's figures from ``start`` to ``end`` (both included) over the places the user
    may read them for, narrowed to ``place`` when given."""
    from linli.workorders.models import Channel, WorkOrder

    begin, until = _span(start, end)
    cases = Case.objects.filter(_scoped(user, place, "place__path"))
    consultations = Consultation.objects.filter(
        _scoped(user, place, "place__path"), answered_at__gte=begin, answered_at__lt=until
    )
    transfers = WorkOrder.objects.filter(
        _scoped(user, place, "place__path"),
        channel=Channel.HOTLINE,
        created_at__gte=begin,
        created_at__lt=until,
    )

    by_matter = _breakdown(cases, consultations, "version__matter", "matter", begin, until)
    by_channel = _breakdown(cases, consultations, "channel", "channel", begin, until)
    by_worker = _breakdown(cases, consultations, "handled_by", "answered_by", begin, until)
    matters = Matter.objects.filter(pk__in=[r.key for r in by_matter if r.key]).select_related(
        "current"
    )
    workers = get_user_model().objects.filter(pk__in=[r.key for r in by_worker if r.key])
    figures = Figures(
        start=start,
        end=end,
        total=Row(key=None, label=_("all")),
        by_matter=_labelled(
            by_matter,
            {m.pk: f"{m.current.display_name}（{m.code}）" for m in matters},
            _("no matter named"),
        ),
        by_channel=_labelled(by_channel, dict(CaseChannel.choices), _("other")),
        by_worker=_labelled(
            by_worker,
            {u.pk: u.get_full_name() or u.get_username() for u in workers},
            _("nobody recorded"),
        ),
    )
    for row in figures.by_channel:
        for name in ("accepted", "handled", "forwarded", "refused", "proxied", "consultations"):
            setattr(figures.total, name, getattr(figures.total, name) + getattr(row, name))

    opened = _by_month(cases.filter(created_at__gte=begin, created_at__lt=until), "created_at")
    handled = _by_month(cases.filter(done_at__gte=begin, done_at__lt=until), "done_at")
    asked = _by_month(consultations, "answered_at")
    hotline = _by_month(transfers, "created_at")
    figures.by_month = [
        Month(
            month=month,
            opened=opened.get(month, 0),
            handled=handled.get(month, 0),
            consultations=asked.get(month, 0),
            hotline=hotline.get(month, 0),
        )
        for month in _months(start, end)
    ]

    compounds: dict[str, Compound] = {}
    flagged_cases = dict(
        cases.filter(created_at__gte=begin, created_at__lt=until, would_call_12345=True)
        .values("place__path")
        .order_by("place__path")
        .annotate(n=Count("id"))
        .values_list("place__path", "n")
    )
    flagged_asked = dict(
        consultations.filter(would_call_12345=True)
        .values("place__path")
        .order_by("place__path")
        .annotate(n=Count("id"))
        .values_list("place__path", "n")
    )
    by_compound = dict(
        transfers.annotate(compound=Substr("place__path", 1, COMPOUND_PATH_LENGTH))
        .values("compound")
        .order_by("compound")
        .annotate(n=Count("id"))
        .values_list("compound", "n")
    )
    paths = {
        path
        for path in set(flagged_cases) | set(flagged_asked) | set(by_compound)
        if len(path) == COMPOUND_PATH_LENGTH
    }
    for compound in Place.objects.filter(path__in=paths).order_by("path"):
        compounds[compound.path] = Compound(
            place=compound,
            cases=flagged_cases.get(compound.path, 0),
            consultations=flagged_asked.get(compound.path, 0),
            hotline=by_compound.get(compound.path, 0),
        )
    figures.by_compound = list(compounds.values())
    return figures


# -- the figures as a workbook -----------------------------------------------------------------


def export_filename(start: date, end: date) -> tuple[str, str]:
    """The file's name, and an ASCII one for old browsers."""
    span = f"{start:%Y%m%d}-{end:%Y%m%d}"
    return f"全岗通办件统计-{span}.xlsx", f"service-desk-figures-{span}.xlsx"


def _row_titles():
    return [
        _("accepted"),
        _("handled"),
        _("of which forwarded"),
        _("of which refused"),
        _("of which 代办"),
        _("consultations"),
    ]


def _row_values(row: Row) -> list[int]:
    return [row.accepted, row.handled, row.forwarded, row.refused, row.proxied, row.consultations]


def figures_export(*, actor, figures: Figures, place: Place | None, out, request=None) -> None:
    """Write ``figures`` (as the page shows them to ``actor``) into ``out`` as an xlsx
    workbook, a sheet per breakdown, and record the export in the audit log."""
    from openpyxl import Workbook

    from linli.core.audit import audit_record
    from linli.core.xlsx import column_widths, header_row, text_cell

    book = Workbook(write_only=True)
    for title, rows, what in (
        (_("By matter"), [figures.total, *figures.by_matter], _("matter")),
        (_("By channel"), figures.by_channel, _("channel")),
        (_("By worker"), figures.by_worker, _("worker")),
    ):
        sheet = book.create_sheet(str(title))
        column_widths(sheet, (40, 10, 10, 12, 12, 12, 12))
        sheet.append(header_row(sheet, [what, *_row_titles()]))
        for row in rows:
            sheet.append([text_cell(sheet, row.label), *_row_values(row)])
    sheet = book.create_sheet(str(_("By month")))
    column_widths(sheet, (12, 12, 10, 12, 14))
    sheet.append(
        header_row(
            sheet,
            [_("month"), _("cases opened"), _("handled"), _("consultations"), _("12345 transfers")],
        )
    )
    for month in figures.by_month:
        sheet.append(
            [
                f"{month.month:%Y-%m}",
                month.opened,
                month.handled,
                month.consultations,
                month.hotline,
            ]
        )
    sheet = book.create_sheet("12345")
    column_widths(sheet, (40, 14, 18, 14))
    sheet.append(
        header_row(
            sheet,
            [
                _("compound"),
                _("cases that would have been a 12345 call"),
                _("consultations that would have been a 12345 call"),
                _("12345 transfers"),
            ],
        )
    )
    for compound in figures.by_compound:
        sheet.append(
            [
                text_cell(sheet, compound.place.name_path),
                compound.cases,
                compound.consultations,
                compound.hotline,
            ]
        )
    book.save(out)
    audit_record(
        actor=actor,
        action="servicedesk.figures.export",
        place_path=place.path if place is not None else "",
        request=request,
        details={"start": figures.start.isoformat(), "end": figures.end.isoformat()},
    )
