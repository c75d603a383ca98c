from django.urls import path

from . import views

app_name = "tutoring"

urlpatterns = [
    path("volunteers/tutoring/", views.home, name="home"),
    path(
        "volunteers/tutoring/programmes/<int:pk>/",
        views.programme_detail,
        name="programme-detail",
    ),
    path(
        "volunteers/tutoring/programmes/<int:pk>/sessions/",
        views.programme_sessions_make,
        name="programme-sessions",
    ),
    path("volunteers/tutoring/programmes/<int:pk>/enrol/", views.child_enrol, name="child-enrol"),
    path("volunteers/tutoring/children/<int:pk>/", views.child_detail, name="child-detail"),
    path("volunteers/tutoring/children/<int:pk>/reveal/", views.child_reveal, name="child-reveal"),
    path(
        "volunteers/tutoring/children/<int:pk>/withdraw/",
        views.child_withdraw,
        name="child-withdraw",
    ),
    path(
        "volunteers/tutoring/children/<int:pk>/collectors/",
        views.collector_add,
        name="collector-add",
    ),
    path(
        "volunteers/tutoring/collectors/<int:pk>/photo/",
        views.collector_photo,
        name="collector-photo",
    ),
    path(
        "volunteers/tutoring/collectors/<int:pk>/photo.img",
        views.collector_photo_file,
        name="collector-photo-file",
    ),
    path(
        "volunteers/tutoring/collectors/<int:pk>/remove/",
        views.collector_remove,
        name="collector-remove",
    ),
    path("volunteers/tutoring/sessions/<int:pk>/door/", views.session_door, name="session-door"),
    path(
        "volunteers/tutoring/sessions/<int:pk>/attendance/",
        views.session_attendance,
        name="session-attendance",
    ),
    path("volunteers/tutoring/sessions/<int:pk>/log/", views.session_log, name="session-log"),
    path(
        "volunteers/tutoring/attendance/<int:pk>/<str:step>/",
        views.attendance_step,
        name="attendance-step",
    ),
]
