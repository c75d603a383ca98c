from django.urls import path

from . import views

app_name = "servicedesk"

urlpatterns = [
    path("servicedesk/matters/", views.matter_list, name="matter-list"),
    path("servicedesk/matters/<str:code>/", views.matter_detail, name="matter-detail"),
]
