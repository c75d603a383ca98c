from django.urls import path

from . import views
from .urls_clinics import urlpatterns as clinic_urlpatterns

app_name = "health"

urlpatterns: list = [
    # Cards, readings, alerts, follow-ups, the resident's own pages (views.py).
    path("health/", views.card_list, name="card-list"),
    path("health/cards/new/", views.card_create, name="card-new"),
    path("health/cards/<int:pk>/", views.card_detail, name="card-detail"),
    path("health/cards/<int:pk>/action/", views.card_action, name="card-action"),
    path("health/cards/<int:pk>/edit/", views.card_edit, name="card-edit"),
    path("health/cards/<int:pk>/print/", views.card_print, name="card-print"),
    path("health/qr/<str:token>/", views.card_qr, name="card-qr"),
    path("health/consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent-withdraw"),
    path("health/alerts/", views.alert_list, name="alert-list"),
    path("health/alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert-acknowledge"),
    path("health/follow-ups/", views.follow_up_list, name="follow-up-list"),
    path("health/follow-ups/<int:pk>/done/", views.follow_up_done, name="follow-up-done"),
    path("health/my-residents/", views.my_residents, name="my-residents"),
    path("health/me/", views.my_card, name="my-card"),
    path("health/me/looks/", views.my_looks, name="my-looks"),
    # The free clinics (views_clinics.py) — their patterns are in urls_clinics.py.
    *clinic_urlpatterns,
]
