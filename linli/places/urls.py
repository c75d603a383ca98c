from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("places/", views.place_list, name="place-list"),
    path("places/<int:pk>/", views.place_detail, name="place-detail"),
    path("places/<int:pk>/edit/", views.place_edit, name="place-edit"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
]
