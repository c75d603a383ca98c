from django.urls import path

from . import feeds, views

app_name = "bookings"

urlpatterns = [
    # iCalendar feeds (feeds.py): public per room, private per resident by secret token.
    path("rooms/<int:pk>/calendar.ics", feeds.room_feed, name="room-ical"),
    path("calendar/<str:token>.ics", feeds.private_feed, name="private-ical"),
    # Pages (views.py).
    path("rooms/", views.room_list, name="room-list"),
    path("rooms/new/", views.room_new, name="room-new"),
    path("rooms/report/", views.report, name="report"),
    path("rooms/report/export.xlsx", views.report_export, name="report-export"),
    path("rooms/<int:pk>/", views.room_detail, name="room-detail"),
    path("rooms/<int:pk>/book/", views.booking_new, name="booking-new"),
    path("rooms/<int:pk>/weekly/", views.series_new, name="series-new"),
    path("rooms/<int:pk>/edit/", views.room_edit, name="room-edit"),
    path("rooms/<int:pk>/blackouts/", views.room_blackouts, name="room-blackouts"),
    path("rooms/<int:pk>/photos/add/", views.room_photo_add, name="room-photo-add"),
    path(
        "rooms/<int:pk>/photos/<int:photo_id>/<str:variant>/",
        views.room_photo,
        name="room-photo",
    ),
    path("bookings/mine/", views.my_bookings, name="my-bookings"),
    path("bookings/mine/calendar/reset/", views.private_feed_reset, name="private-feed-reset"),
    path("bookings/desk/", views.desk, name="desk"),
    path("bookings/weekly/<int:pk>/", views.series_detail, name="series-detail"),
    path("bookings/weekly/<int:pk>/skip/", views.series_skip, name="series-skip"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking-detail"),
    path("bookings/<int:pk>/action/", views.booking_action, name="booking-action"),
]
