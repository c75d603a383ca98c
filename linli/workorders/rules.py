"""Named permissions of work orders."""

import rules

from linli.core.actors import system_may

from .predicates import (
    can_add_photo,
    can_decide_extension,
    can_dispatch_to,
    can_file_at,
    can_manage_order,
    can_oversee_order,
    can_view_board_of,
    is_handler,
    is_reporter,
    is_resident_of_compound,
)

rules.add_perm("workorders.file_order", can_file_at)
rules.add_perm("workorders.view_order", is_reporter | is_handler | can_oversee_order)
rules.add_perm("workorders.manage_order", can_manage_order)
rules.add_perm("workorders.handle_order", is_handler)
rules.add_perm("workorders.decide_extension", can_decide_extension)
# Dispatch only to an organisation serving the places in the worker's care.
rules.add_perm("workorders.dispatch_to", can_dispatch_to)
# Only the overdue check chases (SYSTEM); no person takes that step.
rules.add_perm("workorders.chase_order", rules.always_deny)
# The system files what Open311 clients (checked by their key) and the demo send, and
# chases overdue orders.
system_may("workorders.file_order", "workorders.chase_order")
rules.add_perm("workorders.give_feedback", is_reporter)
rules.add_perm("workorders.support_order", is_resident_of_compound & ~is_reporter)
rules.add_perm("workorders.view_board", is_resident_of_compound | can_oversee_order)
rules.add_perm("workorders.view_board_of", can_view_board_of)
rules.add_perm("workorders.add_photo", can_add_photo)
