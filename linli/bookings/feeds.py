"""iCalendar feeds of rooms and residents' private feeds (being written)."""

from django.http import Http404


def room_feed(request, pk):
    raise Http404("Not found.")


def private_feed(request, token):
    raise Http404("Not found.")
