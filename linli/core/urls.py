from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.me, name="me"),
    path("ui/large-type/", views.large_type, name="large-type"),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notification_read_all, name="notification-read-all"),
]
