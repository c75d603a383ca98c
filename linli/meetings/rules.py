"""Named permissions of the deliberation meeting."""

import rules

from .predicates import (
    can_manage_meeting,
    can_oversee_meeting,
    is_participant,
    is_proposer,
    is_resident_of,
)

# See the meeting, its agenda once sent and its decisions once published.
rules.add_perm("meetings.view_meeting", can_oversee_meeting | is_participant | is_resident_of)
# The working record: draft agenda, attendance, notes per topic.
rules.add_perm("meetings.view_record", can_oversee_meeting | is_participant)
rules.add_perm("meetings.manage_meeting", can_manage_meeting)
rules.add_perm("meetings.propose", is_resident_of)
rules.add_perm("meetings.support_proposal", is_resident_of & ~is_proposer)
