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
