"""Named permissions of health help (see ``predicates`` for who is who).

Superusers hold every permission (Django's ``has_perm`` answers yes to an active superuser
before any rule is asked); their reads are audited like everyone's."""

import rules

from linli.core.actors import system_may

from .predicates import (
    can_make_cards,
    can_run_clinics_here,
    can_view_clinic,
    can_view_stats,
    has_card_consent,
    has_readings_consent,
    is_card_holder,
    is_care_team,
    is_clinic_organiser,
    is_health_staff,
    is_registrant,
    is_responsible_worker,
)

# The card's content: conditions, medications, allergies, notes, emergency contact.
rules.add_perm("health.view_card", is_care_team | is_card_holder | has_card_consent)
# Readings, their trend, follow-ups and alerts of the card.
rules.add_perm("health.view_readings", is_care_team | is_card_holder | has_readings_consent)
rules.add_perm("health.edit_card", is_care_team)
rules.add_perm("health.record_reading", is_care_team)
# A sign of life ("I'm fine", a visit): the care team, and the resident themself.
rules.add_perm("health.record_check_in", is_care_team | is_card_holder)
# Follow-ups and alerts are handled by the care team.
rules.add_perm("health.handle_follow_up", is_care_team)
rules.add_perm("health.manage_consent", is_health_staff | is_responsible_worker)
rules.add_perm("health.withdraw_consent", is_health_staff | is_responsible_worker | is_card_holder)
# Home devices are registered and revoked by the care team.
rules.add_perm("health.manage_device", is_care_team)
# obj: a Resident (their household place) or a Place.
rules.add_perm("health.make_card", can_make_cards)
# obj: a Place. Counts only, never a person.
rules.add_perm("health.view_stats", can_view_stats)
# obj: a ClinicEvent. The clinic itself (never who registered): the district's people.
rules.add_perm("health.view_clinic", can_view_clinic)
# obj: a ClinicEvent or a Registration: its runners (staff over its place, its organisation).
rules.add_perm("health.run_clinic", can_run_clinics_here | is_clinic_organiser)
# obj: a Registration: its runners, and the resident registering or cancelling themself.
rules.add_perm(
    "health.register_at_clinic", can_run_clinics_here | is_clinic_organiser | is_registrant
)

# Navigation only (no object): the care team's work lists — those who handle cards, may make
# one, or were shared some — and a resident's own card. What each page then shows is decided
# by the permissions above.
rules.add_perm(
    "health.nav_work_lists",
    is_care_team | can_make_cards | has_card_consent | has_readings_consent,
)
rules.add_perm("health.nav_my_card", is_card_holder)

# Steps no person takes: follow-ups and alerts are raised from readings and by the
# no-contact watch, a sign of life settles a no-contact alert, and a home device (checked by
# its token) posts readings and check-ins. SYSTEM takes them.
SYSTEM_ONLY = (
    "health.raise_follow_up",
    "health.raise_alert",
    "health.settle_alert",
    "health.record_from_device",
)
for _perm in SYSTEM_ONLY:
    rules.add_perm(_perm, rules.always_deny)
system_may(*SYSTEM_ONLY)
