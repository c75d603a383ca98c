"""Named permissions of the shelf of donated items and its loans."""

import rules

from linli.core.actors import system_may

from .predicates import (
    can_manage_lending,
    can_oversee_lending,
    is_borrower,
    is_neighbour,
    is_waiter,
)

# The catalogue (with how many units are free, never who has them) is seen by the staff who
# oversee the shelf and the residents who live nearby.
rules.add_perm("lending.view_item", can_oversee_lending | is_neighbour)
# Items, photos, donations; lending at the desk, handing over, taking back.
rules.add_perm("lending.manage_item", can_manage_lending)
# Residents ask to borrow online; staff lend through ``manage_item``.
rules.add_perm("lending.borrow_item", is_neighbour)
rules.add_perm("lending.view_loan", is_borrower | can_oversee_lending)
rules.add_perm("lending.manage_loan", can_manage_lending)
rules.add_perm("lending.renew_loan", is_borrower | can_manage_lending)
rules.add_perm("lending.cancel_loan", is_borrower | can_manage_lending)
# Only the reminder job (SYSTEM) reminds borrowers and sends the staff's overdue digest.
rules.add_perm("lending.remind_loan", rules.always_deny)
system_may("lending.remind_loan")
# Who has what, the overdue list, the usage report and its export.
rules.add_perm("lending.oversee_loans", can_oversee_lending)
# The wait list of an item with nothing free: residents nearby join it (``borrow_item``); the
# waiter and those who oversee the shelf see an entry; the waiter or the desk take it off.
rules.add_perm("lending.view_wait", is_waiter | can_oversee_lending)
rules.add_perm("lending.leave_wait", is_waiter | can_manage_lending)
# The waiter (asking online) or the desk (lending to them) borrow the unit held for them.
rules.add_perm("lending.borrow_held", is_waiter | can_manage_lending)
# Only the system offers a unit that came back to the next waiter and lets a hold lapse.
rules.add_perm("lending.hold_unit", rules.always_deny)
system_may("lending.hold_unit")
