from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/proposals/", views.proposal_list, name="proposal-list"),
    path(
        "meetings/proposals/<int:pk>/support/",
        views.proposal_support,
        name="proposal-support",
    ),
    path("meetings/series/<int:pk>/", views.series_detail, name="series-detail"),
    path("meetings/series/<int:pk>/action/", views.series_action, name="series-action"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/action/", views.meeting_action, name="meeting-action"),
    path("meetings/<int:pk>/print/", views.meeting_print, name="meeting-print"),
    path(
        "meetings/<int:pk>/photos/<int:photo_id>/<str:variant>/",
        views.meeting_photo,
        name="meeting-photo",
    ),
]
