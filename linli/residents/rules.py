"""Named permissions of the residents register."""

import rules

from .predicates import (
    can_export_residents,
    can_manage_resident,
    can_reveal_resident,
    can_view_household,
    can_view_resident,
    can_view_residents_at,
)

rules.add_perm("residents.view_resident", can_view_resident)
rules.add_perm("residents.change_resident", can_manage_resident)
rules.add_perm("residents.add_resident", can_manage_resident)
rules.add_perm("residents.reveal_resident", can_reveal_resident)
rules.add_perm("residents.export_resident", can_export_residents)
rules.add_perm("residents.view_household", can_view_household)
rules.add_perm("residents.view_resident_at", can_view_residents_at)
