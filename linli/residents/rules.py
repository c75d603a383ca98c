"""Named permissions of the residents register."""

import rules

from linli.core.actors import system_may

from .predicates import (
    can_export_residents,
    can_manage_resident,
    can_reveal_resident,
    can_view_household,
    can_view_resident,
    can_view_residents_at,
    is_import_uploader,
)

rules.add_perm("residents.view_resident", can_view_resident)
rules.add_perm("residents.change_resident", can_manage_resident)
rules.add_perm("residents.add_resident", can_manage_resident)
rules.add_perm("residents.reveal_resident", can_reveal_resident)
rules.add_perm("residents.export_resident", can_export_residents)
rules.add_perm("residents.view_household", can_view_household)
rules.add_perm("residents.view_resident_at", can_view_residents_at)
rules.add_perm("residents.confirm_import", is_import_uploader)
# Checking, writing and expiring an import are the tasks' steps (SYSTEM); no person takes them.
rules.add_perm("residents.process_import", rules.always_deny)
rules.add_perm("residents.expire_import", rules.always_deny)
system_may("residents.process_import", "residents.expire_import")
# The demo loader and the city-scale generator register residents in bulk.
system_may("residents.add_resident")
