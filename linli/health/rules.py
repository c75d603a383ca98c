"""Named permissions of health help (see ``predicates`` for who is who).

Superusers hold every permission (Django's ``has_perm`` answers yes to an active superuser
before any rule is asked); their reads are audited like everyone's."""

import rules

from .predicates import (
    can_make_cards,
    can_run_clinics_here,
    can_view_stats,
    has_card_consent,
    has_readings_consent,
    is_card_holder,
    is_care_team,
    is_clinic_organiser,
    is_health_staff,
    is_responsible_worker,
)

# The card's content: conditions, medications, allergies, notes, emergency contact.
rules.add_perm("health.view_card", is_care_team | is_card_holder | has_card_consent)
# Readings, their trend, follow-ups and alerts of the card.
rules.add_perm("health.view_readings", is_care_team | is_card_holder | has_readings_consent)
rules.add_perm("health.edit_card", is_care_team)
rules.add_perm("health.record_reading", is_care_team)
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
# obj: a ClinicEvent.
rules.add_perm("health.run_clinic", can_run_clinics_here | is_clinic_organiser)
