"""Named permissions of dispute mediation."""

import rules

from linli.core.actors import system_may

from .predicates import can_count, can_mediate_here, is_mediator, is_party

# The list: the desk's staff and mediators; the residents' own appear in "my matters".
rules.add_perm("mediation.list_mediations", can_mediate_here | can_count)
# Register a new mediation on a compound (or from a work order of the compound).
rules.add_perm("mediation.open_mediation", can_mediate_here)
# The content: facts, parties, sessions, the outcome. Each read is audited.
rules.add_perm("mediation.view_mediation", can_mediate_here | is_mediator | is_party)
# Sessions' notes and the parties' phones: for those who mediate, not for the parties.
rules.add_perm("mediation.view_notes", can_mediate_here | is_mediator)
# Accept, record sessions, the agreement or the failure and referral, the follow-up visit,
# a withdrawal.
rules.add_perm("mediation.mediate", can_mediate_here | is_mediator)
# How many, by status and kind: the desk's staff and the district's and street's admins.
rules.add_perm("mediation.count_mediations", can_count)
# Only the reminder job (SYSTEM) reminds of the judicial-confirmation deadline.
rules.add_perm("mediation.remind_confirmation", rules.always_deny)
system_may("mediation.remind_confirmation")
