"""Named permissions of summer tutoring."""

import rules

from linli.accounts.predicates import role_in_scope
from linli.accounts.roles import COORDINATE_VOLUNTEERS, Role
from linli.core.actors import system_may

from .predicates import (
    coordinates_programme,
    is_guardian,
    is_tutor,
    lives_in_area,
    programme_over,
    programme_running,
)

# The menu entry (no query: the menu is on every page).
rules.add_perm(
    "tutoring.see_menu",
    role_in_scope("has_tutoring_role", COORDINATE_VOLUNTEERS | {Role.VOLUNTEER, Role.RESIDENT}),
)
# The programme's page (sessions, ratio flags, the children's names): its coordinators, and
# its tutors while it runs (after it ends, the children's data is the coordinators' only).
rules.add_perm("tutoring.view_programme", coordinates_programme | (programme_running & is_tutor))
# Set up the programme and its sessions.
rules.add_perm("tutoring.manage_programme", coordinates_programme)
# Enrol a child: the guardian (a resident living where the group serves) before the
# programme ends, or a coordinator at the desk for them.
rules.add_perm("tutoring.enrol_child", coordinates_programme | (lives_in_area & ~programme_over))
# A child's data (masked; full with an audited reveal): the guardian, the coordinators, and
# the tutors while the programme runs.
rules.add_perm(
    "tutoring.view_child", is_guardian | coordinates_programme | (programme_running & is_tutor)
)
# The collectors and the photos: the guardian, or a coordinator for them.
rules.add_perm("tutoring.edit_child", is_guardian | coordinates_programme)
# Withdraw the consent (ends the enrolment and erases the child's sensitive data).
rules.add_perm("tutoring.withdraw_child", is_guardian | coordinates_programme)
# A session's attendance, its door and its log: the coordinators, and its tutors while the
# programme runs.
rules.add_perm("tutoring.view_session", coordinates_programme | (programme_running & is_tutor))
# Drop-off, pick-up, absence: the session's tutors and the coordinators, while it runs.
rules.add_perm("tutoring.work_door", programme_running & (coordinates_programme | is_tutor))
rules.add_perm("tutoring.write_log", coordinates_programme | (programme_running & is_tutor))
# Only the jobs (SYSTEM) flag a session below the ratio and raise an uncollected alert.
rules.add_perm("tutoring.notify_ratio", rules.always_deny)
rules.add_perm("tutoring.alert_uncollected", rules.always_deny)
system_may("tutoring.notify_ratio", "tutoring.alert_uncollected")
