"""Working days on the official Chinese calendar (statutory holidays and make-up working
days, from the ``chinese-calendar`` package). The State Council publishes a year's
arrangement late in the year before, so the year after the last one the package knows is
counted provisionally — Monday to Friday, New Year's Day off — with a warning in the log;
any later year is a clear error, never a silent guess."""

import logging
from datetime import date, datetime, timedelta
from functools import cache

import chinese_calendar
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import LinliError

logger = logging.getLogger("linli.workdays")


class UnknownCalendarYear(LinliError):
    pass


@cache
def last_known_year() -> int:
    return max(day.year for day in chinese_calendar.holidays)


@cache
def _warn_provisional(year: int) -> None:
    logger.warning(
        "The official holiday calendar for %s is not known yet: counting Monday to Friday "
        "(New Year's Day off) until the chinese-calendar package is updated.",
        year,
    )


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:
        if day.year == last_known_year() + 1:
            _warn_provisional(day.year)
            return day.weekday() < 5 and (day.month, day.day) != (1, 1)
        raise UnknownCalendarYear(
            _(
                "The official holiday calendar for %(year)s is not known yet; update the "
                "chinese-calendar package."
            )
            % {"year": day.year},
            code="calendar_unknown",
        ) from exc


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment ``days`` working days after ``start``: the same clock time on the
    ``days``-th working day after the start's day (a start on a rest day counts from the
    next working day)."""
    if days < 0:
        raise ValueError("days must not be negative")
    # Days are counted in the site's time zone (Asia/Shanghai), not UTC.
    current = timezone.localtime(start) if timezone.is_aware(start) else start
    counted = 0
    while counted < days:
        current += timedelta(days=1)
        if is_working_day(current.date()):
            counted += 1
    return current


def next_working_day(day: date) -> date:
    """The first working day after ``day``."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
