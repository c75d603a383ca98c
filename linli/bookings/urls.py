from django.urls import path

from . import feeds

app_name = "bookings"

urlpatterns = [
    # iCalendar feeds (feeds.py): public per room, private per resident by secret token.
    path("rooms/<int:pk>/calendar.ics", feeds.room_feed, name="room-ical"),
    path("calendar/<str:token>.ics", feeds.private_feed, name="private-ical"),
    # Pages (views.py).
]
