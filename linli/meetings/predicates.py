"""Who may see and run the deliberation meeting, over the user's scope and organisations."""

import rules

from linli.accounts.predicates import role_in_scope
from linli.accounts.roles import MANAGE_MEETINGS, VIEW_MEETINGS
from linli.accounts.scope import compound_path_of, resident_compounds, scope_of
from linli.places import tree

can_manage_meeting = role_in_scope("can_manage_meeting", MANAGE_MEETINGS)
can_oversee_meeting = role_in_scope("can_oversee_meeting", VIEW_MEETINGS)
# An agenda item and a decision are the record of their meeting's compound.
can_manage_item = role_in_scope(
    "can_manage_item", MANAGE_MEETINGS, place_of=lambda item: item.meeting.place
)
can_manage_decision = role_in_scope(
    "can_manage_decision", MANAGE_MEETINGS, place_of=lambda decision: decision.series.place
)


def _participants_of(obj):
    """Standing participants of the series of ``obj`` (a series, a meeting, a topic, or a
    compound: the series held there)."""
    from .models import MeetingSeries, Participant

    if isinstance(obj, MeetingSeries):
        return obj.participants.all()
    series = getattr(obj, "series", None)
    if series is not None:
        return series.participants.all()
    return Participant.objects.filter(series__place=obj, series__is_active=True)


@rules.predicate
def is_participant(user, obj):
    """A standing participant of the series, in person or as staff of a participating
    organisation (e.g. the property company)."""
    if obj is None or not user.is_authenticated:
        return False
    organisations = scope_of(user).member_organisation_ids
    for participant in _participants_of(obj):
        if participant.left_at is not None:
            continue
        if participant.user_id == user.pk or participant.organisation_id in organisations:
            return True
    return False


@rules.predicate
def is_resident_of(user, obj):
    """Lives in the compound the series, meeting or topic belongs to (or the compound
    itself is the object)."""
    if obj is None:
        return bool(resident_compounds(user))
    place = getattr(obj, "place", obj)
    return compound_path_of(place.path) in resident_compounds(user) and tree.depth(place.path) >= 4


@rules.predicate
def is_proposer(user, topic):
    return topic is not None and topic.proposer_id is not None and topic.proposer_id == user.pk
