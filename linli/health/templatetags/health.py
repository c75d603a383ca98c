"""Readings in templates, through ``linli.health.display``: ``{{ reading|reading_value }}``,
``{{ value|glucose }}`` and ``{% blood_pressure systolic diastolic %}``."""

from django import template

from linli.health import display

register = template.Library()


@register.filter
def reading_value(reading) -> str:
    return display.reading_text(reading)


@register.filter
def glucose(value) -> str:
    return display.glucose_text(value)


@register.simple_tag
def blood_pressure(systolic, diastolic, pulse=None) -> str:
    return display.blood_pressure_text(systolic, diastolic, pulse)
