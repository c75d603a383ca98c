"""The free clinics' pages, part of the ``health`` URL namespace (included by urls.py)."""

from django.urls import path

from . import views_clinics as views

urlpatterns: list = [
    path("health/clinics/", views.clinic_list, name="clinic-list"),
    path("health/clinics/new/", views.clinic_create, name="clinic-create"),
    path("health/clinics/<int:pk>/", views.clinic_detail, name="clinic-detail"),
    path("health/clinics/<int:pk>/action/", views.clinic_action, name="clinic-action"),
    path("health/clinics/<int:pk>/day/", views.clinic_day, name="clinic-day"),
    path("health/clinics/<int:pk>/report/", views.clinic_report, name="clinic-report"),
]
