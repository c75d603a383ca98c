from django.urls import path

from . import views, views_attendance, views_setup, views_swaps

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
    # -- setting up groups --
    path("volunteers/groups/", views_setup.group_list, name="group-list"),
    path("volunteers/groups/new/", views_setup.group_create, name="group-create"),
    path("volunteers/groups/<int:pk>/", views_setup.group_detail, name="group-detail"),
    path(
        "volunteers/groups/<int:pk>/shift-types/",
        views_setup.shift_type_create,
        name="shift-type-create",
    ),
    path(
        "volunteers/groups/<int:pk>/generate/",
        views_setup.shifts_generate,
        name="shifts-generate",
    ),
    path(
        "volunteers/shift-types/<int:pk>/rules/",
        views_setup.shift_rule_create,
        name="rule-create",
    ),
    path("volunteers/rules/<int:pk>/except/", views_setup.shift_rule_except, name="rule-except"),
    path(
        "volunteers/memberships/<int:pk>/coordinator/",
        views_setup.membership_coordinator,
        name="membership-coordinator",
    ),
    # -- swaps --
    path("volunteers/swaps/", views_swaps.swap_list, name="swaps"),
    path("volunteers/swaps/<int:pk>/", views_swaps.swap_detail, name="swap-detail"),
    path("volunteers/swaps/<int:pk>/step/", views_swaps.swap_step, name="swap-step"),
    path("volunteers/assignments/<int:pk>/offer/", views_swaps.swap_offer, name="assignment-offer"),
    # -- rota --
    path("volunteers/rota/", views_swaps.rota, name="rota"),
    path("volunteers/rota/<int:pk>/fill/", views_swaps.rota_fill, name="rota-fill"),
    path("volunteers/turns/<int:pk>/mark/", views_swaps.turn_mark, name="turn-mark"),
    path("volunteers/absences/", views_swaps.absences, name="absences"),
    path(
        "volunteers/absences/<int:pk>/remove/",
        views_swaps.absence_remove,
        name="absence-remove",
    ),
    # -- sign-in --
    path("volunteers/sign-in/<str:token>/", views_attendance.sign_in, name="sign-in"),
    path("volunteers/shift-types/<int:pk>/poster/", views_attendance.poster, name="sign-in-poster"),
    path(
        "volunteers/assignments/<int:pk>/attendance/",
        views_attendance.attendance,
        name="attendance",
    ),
    path("volunteers/people/<int:pk>/lift-pause/", views_attendance.lift_pause, name="lift-pause"),
    # -- hours ledger --
    path("volunteers/hours/", views_attendance.my_hours, name="hours-mine"),
    path("volunteers/groups/<int:pk>/hours/", views_attendance.group_hours, name="group-hours"),
    path(
        "volunteers/groups/<int:pk>/hours.xlsx", views_attendance.hours_export, name="hours-export"
    ),
    path("volunteers/groups/<int:pk>/records/", views_attendance.record_issue, name="record-issue"),
    path(
        "volunteers/hours/<int:pk>/correct/", views_attendance.hours_correct, name="hours-correct"
    ),
    path("volunteers/records/<int:pk>/", views_attendance.record, name="record"),
    path("volunteers/verify/", views_attendance.verify, name="verify"),
]
