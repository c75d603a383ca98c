"""Named permissions of events and registrations."""

import rules

from linli.accounts.predicates import is_signed_in, role_in_scope
from linli.core.actors import system_may

from .predicates import (
    ORGANISE_EVENTS,
    in_audience,
    is_own_registration,
    is_published,
    organises,
)

# The menu entry and the list: everyone signed in (the list shows what their scope reaches).
rules.add_perm("events.see_menu", is_signed_in)
# Create events: the staff over some place, or a partner organisation's members.
rules.add_perm(
    "events.create_event", role_in_scope("may_organise_events", ORGANISE_EVENTS) | organises
)
# See an event: its organisers; once published, its audience.
rules.add_perm("events.view_event", organises | (is_published & in_audience))
# Edit, publish, mark held, close, cancel; the registrations list; the desk.
rules.add_perm("events.manage_event", organises)
rules.add_perm("events.register_at_desk", organises)
# Register oneself or one's household: a resident in the audience of a published event.
rules.add_perm("events.register", is_published & in_audience)
# A registration: its own people and the organisers.
rules.add_perm("events.view_registration", is_own_registration | organises)
rules.add_perm("events.answer_offer", is_own_registration)
rules.add_perm("events.cancel_registration", is_own_registration | organises)
# Offers are made and lapse by the system (promotion after a place frees, the hourly job).
rules.add_perm("events.offer_place", rules.always_deny)
rules.add_perm("events.expire_offer", rules.always_deny)
system_may("events.offer_place", "events.expire_offer")
