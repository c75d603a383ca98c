"""Named permissions of work orders."""

import rules

from .predicates import (
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
rules.add_perm("workorders.give_feedback", is_reporter)
rules.add_perm("workorders.support_order", is_resident_of_compound & ~is_reporter)
rules.add_perm("workorders.view_board", is_resident_of_compound | can_oversee_order)
rules.add_perm("workorders.view_board_of", can_view_board_of)
