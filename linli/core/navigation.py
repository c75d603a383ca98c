"""What a user can do, as sections of the home page and the navigation bar.

Later modules add their entries here; an entry shows only when the user holds its
permission, so navigation follows the same permission layer as everything else."""

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


def home_sections(request) -> list[dict]:
    user = request.user
    sections = []
    for entry in NAV_ENTRIES:
        if entry.staff_only and not user.is_staff:
            continue
        if entry.permission and not user.has_perm(entry.permission):
            continue
        sections.append(
            {"url": reverse(entry.url_name), "label": entry.label, "description": entry.description}
        )
    return sections
