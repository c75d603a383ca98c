"""Matrix specs of the events' lifecycles (see lifecycle_matrix): an event of the demo
compound (南官房小区) running now, organised for the compound (so its organisers are the
staff over it: district, street, community worker, branch secretary), and a registration of
the demo resident (周桂兰's account registered it) in an event three days ahead, each in a
status made directly."""

from datetime import timedelta

from django.utils import timezone

from linli.events import services
from linli.events.models import Event, Registration, RegistrationPerson

from .events_helpers import doors, make_event, make_person, user
from .lifecycle_matrix import MatrixSpec

ORGANISERS = {"district", "street", "community", "secretary"}


def _event(status: str) -> Event:
    now = timezone.now().replace(microsecond=0)
    event = make_event(
        publish=False,
        start=now - timedelta(hours=1),
        end=now + timedelta(hours=1),
        registration_opens=now - timedelta(days=2),
        registration_closes=now - timedelta(hours=1),
        cancel_until=now - timedelta(hours=1),
    )
    Event.objects.filter(pk=event.pk).update(status=status)
    return Event.objects.select_related("place", "organisation", "room").get(pk=event.pk)


def _take_event(step: str, actor, event: Event):
    write = {
        "publish": services.event_publish,
        "hold": services.event_mark_held,
        "close": services.event_close,
        "cancel": services.event_cancel,
    }[step]
    return write(actor=actor, event=event)


EVENT_SPEC = MatrixSpec(
    lifecycle=services.EVENT,
    make=_event,
    take=_take_event,
    holders={"events.manage_event": ORGANISERS},
)


def _registration(status: str) -> Registration:
    event = make_event(capacity=10)
    contact = make_person(doors(1)[0], account=False)
    registration = Registration.objects.create(
        event=event,
        status=status,
        places=1,
        registered_by=user("resident"),
        contact=contact,
        offered_at=timezone.now(),
        offer_expires_at=timezone.now() + timedelta(hours=1),
    )
    RegistrationPerson.objects.create(registration=registration, resident=contact)
    return Registration.objects.select_related("event__place", "contact").get(pk=registration.pk)


def _take_registration(step: str, actor, registration: Registration):
    if step == "offer":
        return services.registration_offer(actor=actor, registration=registration)
    if step == "expire":
        return services.registration_expire(
            actor=actor,
            registration=registration,
            now=registration.offer_expires_at + timedelta(minutes=1),
        )
    write = {
        "accept": services.registration_accept,
        "decline": services.registration_decline,
        "cancel": services.registration_cancel,
    }[step]
    return write(actor=actor, registration=registration)


REGISTRATION_SPEC = MatrixSpec(
    lifecycle=services.REGISTRATION,
    make=_registration,
    take=_take_registration,
    holders={
        "events.offer_place": {"SYSTEM"},
        "events.expire_offer": {"SYSTEM"},
        "events.answer_offer": {"resident"},
        "events.cancel_registration": ORGANISERS | {"resident"},
    },
)
SPECS = [EVENT_SPEC, REGISTRATION_SPEC]
