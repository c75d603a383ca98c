from django.urls import path

from . import views, views_io

app_name = "residents"

urlpatterns = [
    path("residents/", views.resident_list, name="resident-list"),
    path("residents/new/", views.resident_create, name="resident-create"),
    path("residents/<int:pk>/", views.resident_detail, name="resident-detail"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident-edit"),
    path("residents/<int:pk>/move/", views.resident_move, name="resident-move"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="resident-reveal"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("residents/import/", views_io.resident_import_start, name="resident-import"),
    path(
        "residents/import/<int:pk>/",
        views_io.resident_import_detail,
        name="resident-import-detail",
    ),
    path(
        "residents/import/template.xlsx",
        views_io.resident_import_template,
        name="resident-import-template",
    ),
    path("residents/export.xlsx", views_io.resident_export, name="resident-export"),
]
