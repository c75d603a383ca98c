"""``{{ value|until }}``: the end of a time span as a clock reads it — midnight at the end of
a day is 24:00, not 00:00 (a room open all day is free 00:00–24:00)."""

from datetime import datetime, time

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def until(value) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value).time() if timezone.is_aware(value) else value.time()
    if not isinstance(value, time):
        return ""
    return "24:00" if value == time(0) else f"{value:%H:%M}"
