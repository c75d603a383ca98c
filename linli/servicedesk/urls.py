from django.urls import path

from . import views, views_catalogue

app_name = "servicedesk"

urlpatterns = [
    # the catalogue
    path("servicedesk/matters/", views.matter_list, name="matter-list"),
    path("servicedesk/matters/new/", views_catalogue.matter_create, name="matter-create"),
    path("servicedesk/matters/<str:code>/", views.matter_detail, name="matter-detail"),
    path(
        "servicedesk/matters/<str:code>/revise/",
        views_catalogue.matter_revise,
        name="matter-revise",
    ),
    path(
        "servicedesk/matters/<str:code>/listing/",
        views_catalogue.matter_listing,
        name="matter-listing",
    ),
]
