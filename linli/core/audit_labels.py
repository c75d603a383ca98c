"""How the audit log reads to people: the one registry of what each action code means
(``ACTION_LABELS``), and how an event's object is named today (``OBJECT_NAMES``: a path from
the object to its readable name, fetched in bulk per object type, so a page of events costs
one query per kind of object on it, whatever its length). Models are named by their app
label, never imported: core depends on no domain app."""

from collections import defaultdict

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    # accounts and access
    "account.login": _("Signed in"),
    "account.login_failed": _("Sign-in failed"),
    "account.logout": _("Signed out"),
    "account.create": _("Account created"),
    "account.password_change": _("Password changed"),
    "grant.create": _("Role granted"),
    "grant.revoke": _("Role revoked"),
    "token.create": _("API token created"),
    "token.revoke": _("API token revoked"),
    "data.export_plaintext": _("Data exported unencrypted"),
    "backup.create": _("Backup made"),
    "backup.restore": _("Backup restored"),
    # places and organisations
    "place.create": _("Place added"),
    "place.update": _("Place changed"),
    "place.move": _("Place moved"),
    "organisation.create": _("Organisation added"),
    "organisation.update": _("Organisation changed"),
    "organisation.member_add": _("Member added to an organisation"),
    # residents
    "resident.create": _("Resident registered"),
    "resident.update": _("Resident's record changed"),
    "resident.move": _("Resident moved house"),
    "resident.reveal": _("Resident's ID or phone number revealed"),
    "resident.import": _("Residents imported"),
    "resident.export": _("Residents exported"),
    "resident.generate": _("Residents generated"),
    "resident.demo": _("Demo residents loaded"),
    "household.open": _("Household record opened"),
    "city.generate": _("City data set generated"),
    # work orders
    "workorder.file": _("Work order filed"),
    "workorder.photo_add": _("Photo added to a work order"),
    "workorder.generate": _("Work orders generated"),
    "workorder.generate.done": _("Work order generation finished"),
    "category.create": _("Category added"),
    # the deliberation meeting
    "meetings.series.create": _("Meeting series set up"),
    "meetings.series.change": _("Meeting series changed"),
    "meetings.participant.add": _("Standing participant added"),
    "meetings.participant.remove": _("Standing participant removed"),
    "meetings.meeting.create": _("Extra meeting planned"),
    "meetings.meeting.hold": _("Meeting record opened"),
    "meetings.meeting.cancel": _("Meeting cancelled"),
    "meetings.topic.create": _("Topic put on the list"),
    "meetings.agenda.publish": _("Agenda sent"),
    "meetings.decision.record": _("Decision recorded"),
    "meetings.decision.done": _("Decision marked done"),
    "meetings.minutes.publish": _("Minutes published"),
    "notice.publish": _("Notice published"),
    # rooms and bookings
    "bookings.room.create": _("Room added"),
    "bookings.room.change": _("Room changed"),
    "bookings.room.photo_add": _("Photo added to a room"),
    "bookings.blackout.create": _("Room closed for a time"),
    "bookings.blackout.delete": _("Room closure removed"),
    "bookings.recurring_blackout.create": _("Regular room closure added"),
    "bookings.series.create": _("Weekly booking made"),
    "bookings.booking.request": _("Booking requested"),
    "bookings.booking.approve": _("Booking approved"),
    "bookings.booking.decline": _("Booking declined"),
    "bookings.booking.cancel": _("Booking cancelled"),
    "bookings.booking.check_in": _("Booking checked in"),
    "bookings.booking.mark_no_show": _("Booking marked no-show"),
    "bookings.calendar_feed.create": _("Calendar link created"),
    "bookings.calendar_feed.reset": _("Calendar link renewed"),
    "bookings.report.export": _("Room use report exported"),
    "servicedesk.figures.export": _("Service desk figures exported"),
    # lending
    "lending.item.create": _("Item added to the shelf"),
    "lending.item.change": _("Item changed"),
    "lending.item.photo_add": _("Photo added to an item"),
    "lending.donation.record": _("Donation recorded"),
    "lending.loan.requested": _("Loan requested"),
    "lending.loan.lent": _("Item lent"),
    "lending.loan.hand_over": _("Item handed over"),
    "lending.loan.renew": _("Loan renewed"),
    "lending.loan.return": _("Item returned"),
    "lending.loan.mark_lost": _("Item marked lost"),
    "lending.loan.cancel": _("Loan cancelled"),
    "lending.loan.remind": _("Borrower reminded"),
    "lending.wait.join": _("Joined the wait list"),
    "lending.wait.offer": _("Item offered to the next in line"),
    "lending.wait.borrow": _("Waiting neighbour borrowed the item"),
    "lending.wait.expire": _("Wait-list offer expired"),
    "lending.wait.leave": _("Left the wait list"),
    "lending.usage.export": _("Lending report exported"),
    # the service desk's catalogue of matters
    "servicedesk.matter.create": _("Matter added to the catalogue"),
    "servicedesk.matter.revise": _("New version of a matter published"),
    "servicedesk.matter.list": _("Matter put back in the catalogue"),
    "servicedesk.matter.unlist": _("Matter taken out of the catalogue"),
    # dispute mediation
    "mediation.open": _("Mediation registered"),
    "mediation.read": _("Mediation read"),
    "mediation.print": _("Mediation agreement printed"),
    "mediation.print_notice": _("Notice of a failed mediation printed"),
    "mediation.accept": _("Mediation accepted"),
    "mediation.session": _("Mediation session recorded"),
    "mediation.agree": _("Mediation agreement recorded"),
    "mediation.fail": _("Mediation failed and referred"),
    "mediation.follow_up": _("Mediation follow-up visit recorded"),
    "mediation.withdraw": _("Mediation withdrawn"),
    "mediation.remind": _("Reminded of a judicial-confirmation deadline"),
    # events and campaigns
    "events.event.create": _("Event created"),
    "events.event.update": _("Event changed"),
    "events.event.publish": _("Event published"),
    "events.event.hold": _("Event marked as held"),
    "events.event.close": _("Event closed"),
    "events.event.cancel": _("Event cancelled"),
    "events.registration.create": _("Registered for an event"),
    "events.session.add": _("Session added to a series"),
    "events.attendance.record": _("Attendance of a series' session recorded"),
    # volunteers and shifts
    "volunteers.group_create": _("Volunteer group set up"),
    "volunteers.coordinator_set": _("Group coordinator chosen or unmarked"),
    "volunteers.register": _("Volunteer registered"),
    "volunteers.update": _("Volunteer profile changed"),
    "volunteers.training_record": _("Volunteer training recorded"),
    "volunteers.membership.apply": _("Applied to a volunteer group"),
    "volunteers.membership.approve": _("Volunteer application approved"),
    "volunteers.membership.decline": _("Volunteer application declined"),
    "volunteers.membership.pause": _("Volunteer membership paused"),
    "volunteers.membership.resume": _("Volunteer membership resumed"),
    "volunteers.membership.leave": _("Volunteer left a group"),
    "volunteers.membership.reapply": _("Applied to a volunteer group again"),
    "volunteers.shift_type_create": _("Shift type set up"),
    "volunteers.shift_rule_create": _("Weekly shift rule set up"),
    "volunteers.shift_rule_except": _("Shift date skipped or moved"),
    "volunteers.shift_create": _("Shift added"),
    "volunteers.assignment.cancel": _("Shift assignment cancelled"),
    "volunteers.swap.offer": _("Shift offered for a swap"),
    "volunteers.swap.take": _("Shift swap taken, awaiting approval"),
    "volunteers.swap.take_over": _("Shift taken over in a swap"),
    "volunteers.swap.approve": _("Shift swap approved"),
    "volunteers.swap.decline": _("Shift swap declined"),
    "volunteers.swap.withdraw": _("Shift swap offer withdrawn"),
    "volunteers.swap.lapse": _("Shift swap offer lapsed"),
    "volunteers.rota_fill": _("Rota filled"),
    "volunteers.turn_mark": _("Household's rota turn marked"),
    "volunteers.absence_record": _("Absence from the rota entered"),
    "volunteers.absence_remove": _("Absence from the rota taken off"),
    "volunteers.assignment.sign_in": _("Volunteer signed in to a shift"),
    "volunteers.assignment.sign_out": _("Volunteer signed out of a shift"),
    "volunteers.assignment.no_show": _("Volunteer recorded as not come"),
    "volunteers.assignment.no_show_auto": _("Volunteer recorded as not come by the system"),
    "volunteers.assignment.confirm": _("Volunteer hours confirmed"),
    "volunteers.signup_pause": _("Volunteer's own sign-up paused after no-shows"),
    "volunteers.signup_pause_lift": _("Pause of a volunteer's own sign-up lifted"),
    "volunteers.sign_in_poster": _("Sign-in poster of a shift type made"),
    "volunteers.hours_correct": _("Volunteer hours corrected"),
    "volunteers.hours_export": _("Volunteer hours ledger exported"),
    "volunteers.record_issue": _("Volunteer service record issued"),
    "volunteers.id_reveal": _("Volunteer's full ID number shown"),
    # summer tutoring
    "tutoring.programme_create": _("Tutoring programme set up"),
    "tutoring.session_create": _("Tutoring session added"),
    "tutoring.child_enrol": _("Child enrolled in tutoring, with consent"),
    "tutoring.child.withdraw": _("Tutoring consent withdrawn, child's data erased"),
    "tutoring.child.reveal": _("Child's tutoring data viewed in full"),
    "tutoring.collector_add": _("Collector authorised for a child"),
    "tutoring.collector_photo": _("Collector's photo added"),
    "tutoring.collector_photo_view": _("Collector's photo viewed"),
    "tutoring.collector_remove": _("Collector no longer authorised"),
    "tutoring.attendance.drop_off": _("Child dropped off at tutoring"),
    "tutoring.attendance.pick_up": _("Child picked up from tutoring"),
    "tutoring.attendance.mark_absent": _("Child marked absent from tutoring"),
    "tutoring.call_list": _("Call list of a child not collected viewed"),
    "tutoring.log_write": _("Tutoring session log written"),
    # health
    "health.card.create": _("Health card made"),
    "health.card.change": _("Health card changed"),
    "health.card.deactivate": _("Health card closed"),
    "health.card.read": _("Health card read"),
    "health.readings.read": _("Health readings read"),
    "health.reading.record": _("Reading recorded"),
    "health.follow_up.raise": _("Follow-up raised"),
    "health.follow_up.done": _("Follow-up done"),
    "health.follow_up.cancel": _("Follow-up cancelled"),
    "health.alert.raise": _("Health alert raised"),
    "health.alert.acknowledge": _("Health alert acknowledged"),
    "health.alert.settle": _("Health alert settled"),
    "health.consent.give": _("Consent to share given"),
    "health.consent.withdraw": _("Consent to share withdrawn"),
    "health.device.register": _("Home device registered"),
    "health.device.revoke": _("Home device revoked"),
    "health.check_in.record": _("Check-in call recorded"),
    "health.clinic.create": _("Free clinic planned"),
    "health.clinic.cancel": _("Free clinic cancelled"),
    "health.clinic.close": _("Free clinic closed"),
    "health.clinic.read": _("Free clinic's records read"),
    "health.clinic.register": _("Registered for a free clinic"),
    "health.clinic.visit": _("Free clinic visit recorded"),
    "health.clinic.no_show": _("Free clinic no-show recorded"),
    # the service desk's cases (办件)
    "servicedesk.case.open": _("Service desk case opened"),
    "servicedesk.case.record_missing": _("Service desk case: missing materials told"),
    "servicedesk.case.accept": _("Service desk case accepted"),
    "servicedesk.case.forward": _("Service desk case forwarded"),
    "servicedesk.case.approve": _("Service desk case approved"),
    "servicedesk.case.refuse": _("Service desk case refused"),
    "servicedesk.case.finish": _("Service desk case closed"),
    "servicedesk.case.withdraw": _("Service desk case withdrawn"),
    "servicedesk.case.remind": _("Service desk case: the desk reminded of its deadline"),
    "servicedesk.proxy.authorise": _("代办 authorised for a service desk case"),
    "servicedesk.proxy.letter": _("代办: signed authorisation letter filed"),
    "servicedesk.proxy.check_ids": _("代办: identities checked"),
    "servicedesk.proxy.revoke": _("代办 revoked"),
    "servicedesk.proxy.original_take": _("代办: original taken into custody"),
    "servicedesk.proxy.original_return": _("代办: original returned"),
    "servicedesk.proxy.file_view": _("代办: letter or signature viewed"),
    "servicedesk.proxy.print": _("代办: authorisation letter or custody sheet printed"),
    "servicedesk.consultation.record": _("Policy consultation recorded"),
    "servicedesk.consultation.to_case": _("Policy consultation turned into a case"),
    "servicedesk.consultation.to_order": _("Policy consultation turned into a work order"),
}


def action_label(code: str) -> str:
    """The action as people read it; an action no one has named yet shows its code."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def action_choices() -> list[tuple[str, str]]:
    """Every named action, by its label (for the log's filter)."""
    return sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda c: c[1])


# object type (app_label.modelname) -> the path from such an object to its name, where the
# object's own ``str`` says less than that (the health records name no one, on purpose:
# the stored ``object_repr`` is kept free of names).
OBJECT_NAMES = {
    "health.healthcard": "resident.name",
    "health.reading": "card.resident.name",
    "health.followup": "card.resident.name",
    "health.alert": "card.resident.name",
    "health.consent": "card.resident.name",
    "health.checkin": "card.resident.name",
    "health.registration": "event.title",
    "lending.loan": "item.name",
    "lending.donation": "item.name",
    "lending.waitentry": "item.name",
    "lending.itemphoto": "item.name",
    "bookings.booking": "room.name",
    "bookings.blackout": "room.name",
    "bookings.roomphoto": "room.name",
    "bookings.calendarfeed": "user.display_name",
    "meetings.participant": "display_name",
    "accounts.user": "display_name",
    "servicedesk.case": "version.name",
    "servicedesk.proxyauthorisation": "case.version.name",
    "volunteers.membership": "volunteer.name",
    "volunteers.assignment": "volunteer.name",
}


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _related_path(model, path: str) -> str | None:
    """The ``select_related`` path of the foreign keys along ``path``."""
    hops, current = [], model
    for part in path.split(".")[:-1]:
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if not field.is_relation:
            return None
        hops.append(part)
        current = field.related_model
    return "__".join(hops) or None


def _follow(obj, path: str) -> str:
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return ""
    return str(obj)


def object_labels(events) -> dict[tuple[str, str], str]:
    """(object type, object id) -> "kind · name" for the objects of ``events``: one query per
    object type among them. An object since removed is named as it was recorded."""
    ids = defaultdict(set)
    for event in events:
        if event.object_type and event.object_id:
            ids[event.object_type].add(event.object_id)
    labels = {}
    for object_type, pks in ids.items():
        model = _model(object_type)
        if model is None:
            continue
        path = OBJECT_NAMES.get(object_type)
        queryset = model._default_manager.all()
        related = _related_path(model, path) if path else None
        if related:
            queryset = queryset.select_related(related)
        valid = [pk for pk in pks if pk.isdigit()] if _int_pk(model) else list(pks)
        kind = str(model._meta.verbose_name)
        for obj in queryset.filter(pk__in=valid):
            name = (_follow(obj, path) if path else "") or str(obj)
            labels[(object_type, str(obj.pk))] = f"{kind} · {name}"
    return labels


def _int_pk(model) -> bool:
    return model._meta.pk.get_internal_type() in {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
    }
