from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("volunteers/", views.my_shifts, name="shift-mine"),
    path("volunteers/join/", views.join, name="join"),
    path("volunteers/shifts/", views.open_shifts, name="shift-open"),
    path("volunteers/shifts/<int:pk>/signup/", views.shift_signup, name="shift-signup"),
    path("volunteers/shifts/<int:pk>/assign/", views.shift_assign, name="shift-assign"),
    path(
        "volunteers/assignments/<int:pk>/cancel/",
        views.assignment_cancel,
        name="assignment-cancel",
    ),
    path("volunteers/board/", views.board, name="board"),
    path("volunteers/people/", views.volunteer_list, name="volunteer-list"),
    path("volunteers/people/<int:pk>/", views.volunteer_detail, name="volunteer-detail"),
    path("volunteers/applications/", views.application_list, name="membership-applications"),
    path("volunteers/memberships/<int:pk>/step/", views.membership_step, name="membership-step"),
    path("volunteers/feed/<str:token>.ics", views.feed, name="feed"),
]
