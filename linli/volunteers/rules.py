"""Named permissions of volunteers and shifts."""

import rules

from linli.accounts.predicates import role_in_scope
from linli.accounts.roles import COORDINATE_VOLUNTEERS, Role
from linli.core.actors import system_may

from .predicates import (
    coordinates,
    coordinates_volunteer,
    is_own,
    is_volunteer,
    staff_coordinates,
)

# The menu entry: for whoever holds a volunteer's or a coordinating role (no query: the
# menu is on every page); residents who volunteer reach their shifts from the pages too.
rules.add_perm(
    "volunteers.see_menu",
    role_in_scope("has_volunteer_role", COORDINATE_VOLUNTEERS | {Role.VOLUNTEER}),
)

# The volunteers' pages: volunteers (their own shifts and their groups' open ones) and those
# who coordinate a group.
rules.add_perm("volunteers.use_volunteers", is_volunteer | coordinates)
# The coordinator's pages (the board, the list of volunteers, the applications).
rules.add_perm("volunteers.coordinate", coordinates)
# Create groups and mark their coordinators: the staff over the group's place only.
rules.add_perm("volunteers.manage_groups", staff_coordinates)
# A volunteer's profile (masked numbers): themselves and whoever coordinates a group of theirs.
rules.add_perm("volunteers.view_volunteer", is_own | coordinates_volunteer)
rules.add_perm("volunteers.edit_volunteer", is_own | coordinates_volunteer)
rules.add_perm("volunteers.record_training", coordinates_volunteer)
# Approve or decline an application, pause or resume a member: the group's coordinators,
# never for their own membership.
rules.add_perm("volunteers.decide_membership", coordinates & ~is_own)
# Leave a group: the member, or a coordinator who takes them off it.
rules.add_perm("volunteers.leave_membership", is_own | (coordinates & ~is_own))
# Apply again after a decline or after leaving: the volunteer themselves.
rules.add_perm("volunteers.reapply_membership", is_own)
# Shift types, weekly rules and their exceptions, generating shifts, assigning people.
rules.add_perm("volunteers.manage_shifts", coordinates)
# Cancel an assignment: the volunteer before the shift, or the group's coordinators.
rules.add_perm("volunteers.cancel_assignment", is_own | coordinates)
# Only the jobs (SYSTEM) generate the coming weeks' shifts on their own and tell the
# coordinators about a shift still short of people.
rules.add_perm("volunteers.generate_shifts", coordinates)
rules.add_perm("volunteers.notify_uncovered", rules.always_deny)
system_may("volunteers.generate_shifts", "volunteers.notify_uncovered")


# -- swaps and the rota -----------------------------------------------------------------------


@rules.predicate
def is_offerer(user, swap):
    """The swap offers the user's own place."""
    return bool(user.pk) and swap.assignment.volunteer.user_id == user.pk


@rules.predicate
def is_taker(user, swap):
    return bool(user.pk) and swap.taker_id is not None and swap.taker.user_id == user.pk


@rules.predicate
def is_own_household(user, absence):
    """The absence is of the household the user lives in."""
    household_id = getattr(absence, "household_id", None)
    if not user.pk or household_id is None:
        return False
    resident = getattr(user, "resident", None) if hasattr(user, "resident") else None
    return resident is not None and resident.household_id == household_id


# Offer one's own place on a shift (or, as a coordinator, a member's: asked on the phone);
# take another's offer (a volunteer; the sign-up checks follow); approve or decline a
# pending swap (the group's coordinators, never their own);
# withdraw an open offer (the offerer, or a coordinator); only the job lapses an offer.
rules.add_perm("volunteers.offer_swap", is_own | coordinates)
rules.add_perm("volunteers.take_swap", is_volunteer & ~is_offerer)
rules.add_perm("volunteers.decide_swap", coordinates & ~is_offerer & ~is_taker)
rules.add_perm("volunteers.withdraw_swap", is_offerer | coordinates)
rules.add_perm("volunteers.lapse_swap", rules.always_deny)
system_may("volunteers.lapse_swap")
# The rota: its coordinators fill it (and the weekly job as SYSTEM) and mark a household's
# turn done or missed; absences are entered by a coordinator for anyone, by a member for
# themself.
rules.add_perm("volunteers.fill_rota", coordinates)
rules.add_perm("volunteers.mark_turn", coordinates)
rules.add_perm("volunteers.record_absence", coordinates | is_own | is_own_household)
system_may("volunteers.fill_rota")

# -- sign-in -- the volunteer signs in and out of their shift (the QR poster), or the group's
# coordinators do it for them with a time; a no-show is recorded by a coordinator (never of
# their own shift) or by the job (SYSTEM) once a shift ended without a sign-in; a
# coordinator of the volunteer's group lifts the pause of self sign-up.
rules.add_perm("volunteers.sign_in", is_own | coordinates)
rules.add_perm("volunteers.record_no_show", coordinates & ~is_own)
rules.add_perm("volunteers.no_show_auto", rules.always_deny)
system_may("volunteers.no_show_auto")
rules.add_perm("volunteers.lift_pause", coordinates_volunteer)

# -- hours ledger -- the group's coordinators confirm hours and correct the ledger (never their
# own), issue service records and export the ledger; the volunteer and their coordinators
# see the full ID number for the printed record (audited).
rules.add_perm("volunteers.confirm_hours", coordinates & ~is_own)
rules.add_perm("volunteers.correct_hours", coordinates & ~is_own)
rules.add_perm("volunteers.issue_record", coordinates)
rules.add_perm("volunteers.export_hours", coordinates)
rules.add_perm("volunteers.reveal_id", is_own | coordinates_volunteer)
# Read a ledger entry or an issued record (the admin): the volunteer's own, and coordinators.
rules.add_perm("volunteers.view_hours", is_own | coordinates)
