from django.urls import path

from . import views

app_name = "mediation"

urlpatterns = [
    path("servicedesk/mediations/", views.mediation_list, name="mediation-list"),
    path("servicedesk/mediations/new/", views.mediation_create, name="mediation-create"),
    path("servicedesk/mediations/<int:pk>/", views.mediation_detail, name="mediation-detail"),
    path(
        "servicedesk/mediations/<int:pk>/action/",
        views.mediation_action,
        name="mediation-action",
    ),
    path(
        "servicedesk/mediations/<int:pk>/agreement/",
        views.mediation_print,
        name="mediation-print",
    ),
    path(
        "servicedesk/mediations/<int:pk>/notice/",
        views.mediation_notice,
        name="mediation-notice",
    ),
]
