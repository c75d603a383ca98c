"""``{{ place|spoken }}``: a place named the way people say it (``linli.places.names``);
``{{ place|spoken_full }}`` always with its compound."""

from django import template

from linli.places.names import label_of, spoken_name

register = template.Library()


@register.filter
def spoken(place):
    return label_of(place)


@register.filter
def spoken_full(place):
    return spoken_name(place, with_compound=True)
