"""What a user can do, as sections of the home page and the navigation bar.

Later modules add their entries here; an entry shows only when the user holds its
permission, so navigation follows the same permission layer as everything else."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str
    description: str
    permission: str | None = None  # a rules permission without object; None = any signed-in user
    staff_only: bool = False


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


HOME_PANELS: list[HomePanel] = []


def register_home_panel(panel: HomePanel) -> None:
    """Modules add panels to the home page (from AppConfig.ready); core imports none of
    them."""
    if not any(p.name == panel.name for p in HOME_PANELS):
        HOME_PANELS.append(panel)


def home_panels(request) -> list[dict]:
    panels = []
    for panel in HOME_PANELS:
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
    ),
    NavEntry(
        "places:organisation-list",
        _("Organisations"),
        _("Property companies, committees, clinics, teams and who works there."),
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


def nav_entries(request) -> list[NavEntry]:
    user = request.user
    return [
        entry
        for entry in NAV_ENTRIES
        if not (entry.staff_only and not user.is_staff)
        and not (entry.permission and not user.has_perm(entry.permission))
    ]


def home_sections(request) -> list[dict]:
    return [
        {"url": reverse(e.url_name), "label": e.label, "description": e.description}
        for e in nav_entries(request)
    ]
