from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="event-list"),
    path("events/mine/", views.my_registrations, name="registration-mine"),
    path("events/new/", views.event_create, name="event-create"),
    path("events/<int:pk>/", views.event_detail, name="event-detail"),
    path("events/<int:pk>/register/", views.event_register, name="event-register"),
    path("events/<int:pk>/step/", views.event_step, name="event-step"),
    path("events/<int:pk>/edit/", views.event_edit, name="event-edit"),
    path("events/<int:pk>/registrations/", views.event_registrations, name="event-registrations"),
    path("events/<int:pk>/desk/", views.event_desk_register, name="event-desk"),
    path("events/registrations/<int:pk>/step/", views.registration_step, name="registration-step"),
    path(
        "events/<int:pk>/sessions/<int:session_pk>/attendance/",
        views.session_attendance,
        name="session-attendance",
    ),
    path(
        "events/<int:pk>/certificate/<int:person_pk>/",
        views.series_certificate,
        name="series-certificate",
    ),
    path("events/feed/<str:token>/series/<int:pk>.ics", views.series_feed, name="feed-series"),
    path(
        "events/feed/<str:token>/<str:organiser>.ics",
        views.organiser_feed,
        name="feed-organiser",
    ),
]
