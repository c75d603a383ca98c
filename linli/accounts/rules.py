"""Named permissions of places, organisations, grants and the audit log."""

import rules

from linli.core.actors import system_may

from .predicates import (
    can_manage_grants,
    can_manage_place,
    can_read_audit,
    can_view_organisation,
    can_view_place,
    is_signed_in,
    works_here,
)

rules.add_perm("places.view_place", can_view_place)
rules.add_perm("places.change_place", can_manage_place)
rules.add_perm("places.add_place", can_manage_place)
rules.add_perm("places.view_organisation", can_view_organisation)
rules.add_perm("core.view_auditevent", can_read_audit)
rules.add_perm("accounts.manage_grants", can_manage_grants)
rules.add_perm("accounts.view_own_account", is_signed_in)
# The workbench, and the staff entries of the menu (places, organisations, the register).
rules.add_perm("accounts.use_workbench", is_signed_in & works_here)
# The demo loader, the generator and the command line build places and give roles.
system_may("places.add_place", "accounts.manage_grants")
