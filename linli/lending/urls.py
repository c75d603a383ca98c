from django.urls import path

from . import views

app_name = "lending"

urlpatterns = [
    path("lending/", views.item_list, name="item-list"),
    path("lending/items/<int:pk>/", views.item_detail, name="item-detail"),
    path("lending/items/<int:pk>/action/", views.item_action, name="item-action"),
    path(
        "lending/items/<int:pk>/photos/<int:photo_id>/<str:variant>/",
        views.item_photo,
        name="item-photo",
    ),
    path("lending/loans/", views.loan_list, name="loan-list"),
    path("lending/loans/<int:pk>/action/", views.loan_action, name="loan-action"),
    path("lending/waits/held-up/", views.wait_held_up, name="wait-held-up"),
    path("lending/waits/<int:pk>/", views.wait_detail, name="wait-detail"),
    path("lending/waits/<int:pk>/action/", views.wait_action, name="wait-action"),
    path("lending/desk/", views.desk, name="desk"),
    path("lending/overdue/", views.overdue_list, name="overdue-list"),
    path("lending/donations/new/", views.donation_create, name="donation-create"),
    path("lending/report/", views.usage_report, name="usage-report"),
    path("lending/report.xlsx", views.usage_export, name="usage-export"),
]
