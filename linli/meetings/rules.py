"""Named permissions of the deliberation meeting."""

import rules

from linli.core.actors import system_may

from .predicates import (
    can_manage_decision,
    can_manage_item,
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
# The outcome of a topic on an agenda, and the follow-up of a decision.
rules.add_perm("meetings.manage_item", can_manage_item)
rules.add_perm("meetings.follow_up_decision", can_manage_decision)
rules.add_perm("meetings.propose", is_resident_of)
rules.add_perm("meetings.support_proposal", is_resident_of & ~is_proposer)
# Topics from work orders: the chair's, or the system's when a worker refers an order.
rules.add_perm("meetings.add_order_topic", can_manage_meeting)
# The regular meetings of a series: scheduled ahead by the system (or an organiser).
rules.add_perm("meetings.schedule_meetings", can_manage_meeting)
# Only the system marks a decision done when all its work is closed.
rules.add_perm("meetings.complete_decision", rules.always_deny)
system_may(
    "meetings.add_order_topic",
    "meetings.schedule_meetings",
    "meetings.complete_decision",
)
