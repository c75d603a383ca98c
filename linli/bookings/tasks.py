"""Background work of bookings: telling people about each step after it is committed."""

from django_tasks import task


@task()
def notify_booking_event_task(event_id: int) -> int:
    from .notify import notify_booking_event

    return notify_booking_event(event_id)
