"""Named permissions of the service desk."""

import rules

from linli.core.actors import system_may

from .predicates import (
    can_manage_catalogue,
    can_serve_consultation,
    can_serve_desk,
    can_view_desk_figures,
    is_case_resident,
    is_consultation_asker,
    is_listed,
    is_own_resident,
)

# The catalogue is public ("what do I need to bring?", without an account); a matter taken
# out of it is seen only by those who keep the catalogue.
rules.add_perm("servicedesk.view_matter", is_listed | can_manage_catalogue)
rules.add_perm("servicedesk.manage_catalogue", can_manage_catalogue)

# Cases (办件): the desk of the case's compound and the resident whose case it is; nobody
# else (administrators and property staff included) sees that one exists.
rules.add_perm("servicedesk.view_case", can_serve_desk | is_case_resident)
# Opening a case (on a place: the resident's compound) and the desk's steps on it: ticking
# materials, the 一次告知, accepting, handing the result over.
rules.add_perm("servicedesk.open_case", can_serve_desk)
# A resident starts a case of their own online (on a resident: their own register entry).
rules.add_perm("servicedesk.open_own_case", is_own_resident)
rules.add_perm("servicedesk.serve_case", can_serve_desk)
# Forwarding to the deciding department, recording its approval or refusal.
rules.add_perm("servicedesk.decide_case", can_serve_desk)
# A case not yet decided may be withdrawn by its resident or the desk.
rules.add_perm("servicedesk.withdraw_case", can_serve_desk | is_case_resident)
# Once the case is done, the resident whose case it is rates it (好差评), once.
rules.add_perm("servicedesk.rate_case", is_case_resident)

# Policy consultations (政策咨询): recorded and seen by the desk of the compound where they
# were answered (on a place: the compound), seen by the resident who asked; turned into a
# case or a work order by the desk. Property staff never see them.
rules.add_perm("servicedesk.view_consultation", can_serve_consultation | is_consultation_asker)
rules.add_perm("servicedesk.record_consultation", can_serve_consultation)
rules.add_perm("servicedesk.convert_consultation", can_serve_consultation)
# The desk's figures (counts per matter, channel, worker and month), on a place or anywhere.
rules.add_perm("servicedesk.view_figures", can_view_desk_figures)

# 代办 (a case handled on its resident's behalf; on a case or its 代办): kept by the desk of
# the case's compound (authorising, the signed letter, the ID check, the custody log of
# originals, revoking, printing); seen by that desk and the resident whose case it is.
# Property staff and everyone else never learn that one exists.
rules.add_perm("servicedesk.view_proxy", can_serve_desk | is_case_resident)
rules.add_perm("servicedesk.manage_proxy", can_serve_desk)
# Only the reminder job (SYSTEM) reminds the desk of a case's deadline.
rules.add_perm("servicedesk.remind_case", rules.always_deny)
system_may("servicedesk.remind_case")
