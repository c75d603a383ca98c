"""What a user can do: the menu, the phone's tab bar, a resident's quick actions and the
staff workbench's counts.

Modules add their entries here from ``AppConfig.ready``; an entry shows only when the user
holds its permission, so navigation follows the same permission layer as everything else.
An entry's audience is staff (who hold ``accounts.use_workbench``: any role besides a
resident's), residents (everyone else), or all."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

STAFF_PERMISSION = "accounts.use_workbench"
ALL, STAFF, RESIDENTS = "all", "staff", "residents"


def audience_of(user) -> str:
    return STAFF if user.has_perm(STAFF_PERMISSION) else RESIDENTS


def _for(user, audience: str, permission: str | None) -> bool:
    if audience != ALL and audience_of(user) != audience:
        return False
    return not permission or user.has_perm(permission)


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str
    description: str
    permission: str | None = None  # a rules permission without object; None = any signed-in user
    staff_only: bool = False  # Django's is_staff (the admin)
    audience: str = ALL


@dataclass(frozen=True)
class Tab:
    """An entry of the phone's bottom tab bar (at most four, then 我的 with the rest)."""

    url_name: str
    label: str
    audience: str
    order: int
    permission: str | None = None


@dataclass(frozen=True)
class QuickAction:
    """A big button on a resident's home: what residents come to do."""

    url_name: str
    label: str
    order: int
    permission: str | None = None


@dataclass(frozen=True)
class WorkCount:
    """A count on the staff workbench of what waits for the user, linking to its list.
    ``count(request)`` answers the number, or None where the user has no such work;
    ``url(request)`` the list that shows exactly those records."""

    name: str
    label: str
    order: int
    count: Callable
    url: Callable


@dataclass(frozen=True)
class PlaceLink:
    """A link shown on a place's page to what another module keeps about that place (e.g.
    its residents), as ``url?place=<id>``."""

    url_name: str
    label: str
    permission: str  # checked with the place as object
    kinds: frozenset[str] | None = None  # only on places of these kinds


PLACE_LINKS: list[PlaceLink] = []


@dataclass(frozen=True)
class HomePanel:
    """A panel of the home page that another module fills (e.g. the latest notices):
    ``context(request)`` returns the template's context, or None to leave the panel out."""

    name: str
    template: str
    context: Callable
    audience: str = ALL
    order: int = 50


HOME_PANELS: list[HomePanel] = []


def register_home_panel(panel: HomePanel) -> None:
    """Modules add panels to the home page (from AppConfig.ready); core imports none of
    them."""
    if not any(p.name == panel.name for p in HOME_PANELS):
        HOME_PANELS.append(panel)


def home_panels(request) -> list[dict]:
    panels = []
    audience = audience_of(request.user)
    for panel in sorted(HOME_PANELS, key=lambda p: p.order):
        if panel.audience not in (ALL, audience):
            continue
        context = panel.context(request)
        if context is not None:
            panels.append({"template": panel.template, **context})
    return panels


def register_nav_entry(entry: NavEntry, *, after: str | None = None) -> None:
    """Modules add their pages to the home page and navigation (from AppConfig.ready)."""
    if any(e.url_name == entry.url_name for e in NAV_ENTRIES):
        return
    names = [e.url_name for e in NAV_ENTRIES]
    index = names.index(after) + 1 if after in names else len(NAV_ENTRIES)
    NAV_ENTRIES.insert(index, entry)


def register_place_link(link: PlaceLink) -> None:
    if link not in PLACE_LINKS:
        PLACE_LINKS.append(link)


def place_links(request, place) -> list[dict]:
    return [
        {"url": f"{reverse(link.url_name)}?place={place.pk}", "label": link.label}
        for link in PLACE_LINKS
        if (link.kinds is None or place.kind in link.kinds)
        and request.user.has_perm(link.permission, place)
    ]


NAV_ENTRIES: list[NavEntry] = [
    NavEntry(
        "places:place-list",
        _("Places"),
        _("Browse the district, streets, communities, compounds and households you look after."),
        audience=STAFF,
    ),
    NavEntry(
        "places:organisation-list",
        _("Organisations"),
        _("Property companies, committees, clinics, teams and who works there."),
        audience=STAFF,
    ),
    NavEntry(
        "accounts:audit-list",
        _("Audit log"),
        _("Who looked at or changed what, and when."),
        permission="core.view_auditevent",
    ),
    NavEntry(
        "core:notification-list",
        _("Notifications"),
        _("What happened to the matters you follow."),
    ),
    NavEntry(
        "accounts:profile",
        _("My account"),
        _("Your roles, your password and your API tokens."),
    ),
    NavEntry(
        "admin:index",
        _("Configuration"),
        _("Categories, rooms, rules and other settings (Django admin)."),
        staff_only=True,
    ),
]


@dataclass(frozen=True)
class OpenItems:
    """A kind of a resident's open matters on their home (reports, bookings, loans, clinic
    registrations): ``items(request)`` answers at most ``OPEN_ITEMS_SHOWN`` of them as
    ``{"text", "url", "note"}``, newest or soonest first; ``url_name`` lists them all."""

    name: str
    label: str
    order: int
    url_name: str
    items: Callable


OPEN_ITEMS: list[OpenItems] = []
OPEN_ITEMS_SHOWN = 3


def register_open_items(kind: OpenItems) -> None:
    if not any(k.name == kind.name for k in OPEN_ITEMS):
        OPEN_ITEMS.append(kind)


def open_items(request) -> list[dict]:
    groups = []
    for kind in sorted(OPEN_ITEMS, key=lambda k: k.order):
        items = kind.items(request)
        if items:
            groups.append(
                {
                    "name": kind.name,
                    "label": kind.label,
                    "url": reverse(kind.url_name),
                    "items": items,
                }
            )
    return groups


@dataclass(frozen=True)
class ResidentSection:
    """A section of a resident's page for the community worker (their reports, bookings,
    loans, clinic slots, health card): ``rows(request, resident)`` answers at most
    ``RESIDENT_ROWS`` rows ``{"text", "url", "note"}`` the viewer may see, or None to leave
    the section out."""

    name: str
    label: str
    order: int
    rows: Callable


RESIDENT_SECTIONS: list[ResidentSection] = []
RESIDENT_ROWS = 10


def register_resident_section(section: ResidentSection) -> None:
    if not any(s.name == section.name for s in RESIDENT_SECTIONS):
        RESIDENT_SECTIONS.append(section)


def resident_sections(request, resident) -> list[dict]:
    sections = []
    for section in sorted(RESIDENT_SECTIONS, key=lambda s: s.order):
        rows = section.rows(request, resident)
        if rows is not None:
            sections.append({"name": section.name, "label": section.label, "rows": rows})
    return sections


TABS: list[Tab] = [
    Tab("core:home", pgettext_lazy("tab", "Home"), RESIDENTS, 0),
    Tab("core:home", pgettext_lazy("tab", "Workbench"), STAFF, 0),
    Tab("places:place-list", pgettext_lazy("tab", "Places"), STAFF, 40),
]
QUICK_ACTIONS: list[QuickAction] = []
WORK_COUNTS: list[WorkCount] = []
MAX_TABS = 4  # and 我的 (everything else) as the fifth


def register_tab(tab: Tab) -> None:
    if tab not in TABS:
        TABS.append(tab)


def register_quick_action(action: QuickAction) -> None:
    if action not in QUICK_ACTIONS:
        QUICK_ACTIONS.append(action)


def register_work_count(count: WorkCount) -> None:
    if not any(c.name == count.name for c in WORK_COUNTS):
        WORK_COUNTS.append(count)


def nav_entries(request) -> list[NavEntry]:
    user = request.user
    return [
        entry
        for entry in NAV_ENTRIES
        if not (entry.staff_only and not user.is_staff)
        and _for(user, entry.audience, entry.permission)
    ]


def public_entries(request) -> list[NavEntry]:
    """What someone without an account may open (e.g. the service desk's guide): the entries
    for everyone whose named permission an anonymous visitor holds."""
    user = request.user
    return [
        entry
        for entry in NAV_ENTRIES
        if entry.permission
        and entry.audience == ALL
        and not entry.staff_only
        and user.has_perm(entry.permission)
    ]


def tab_entries(request) -> list[dict]:
    user = request.user
    tabs = sorted((t for t in TABS if _for(user, t.audience, t.permission)), key=lambda t: t.order)[
        :MAX_TABS
    ]
    path = request.path
    entries = []
    for tab in tabs:
        url = reverse(tab.url_name)
        current = path == url if url == "/" else path.startswith(url)
        entries.append({"url": url, "label": tab.label, "current": current})
    me = reverse("core:me")
    entries.append({"url": me, "label": pgettext_lazy("tab", "Me"), "current": path.startswith(me)})
    return entries


def quick_actions(request) -> list[dict]:
    user = request.user
    return [
        {"url": reverse(a.url_name), "label": a.label}
        for a in sorted(QUICK_ACTIONS, key=lambda a: a.order)
        if not a.permission or user.has_perm(a.permission)
    ]


def work_counts(request) -> list[dict]:
    """The workbench: one COUNT per kind of work, each only where the user has such work."""
    counts = []
    for item in sorted(WORK_COUNTS, key=lambda c: c.order):
        n = item.count(request)
        if n is not None:
            counts.append(
                {"name": item.name, "label": item.label, "n": n, "url": item.url(request)}
            )
    return counts


def home_sections(request) -> list[dict]:
    return [
        {"url": reverse(e.url_name), "label": e.label, "description": e.description}
        for e in nav_entries(request)
    ]
