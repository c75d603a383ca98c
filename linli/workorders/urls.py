from django.urls import path

from . import urls_photos, views

app_name = "workorders"

urlpatterns = [
    path("orders/", views.order_list, name="order-list"),
    path("orders/mine/", views.order_mine, name="order-mine"),
    path("orders/new/", views.order_create, name="order-create"),
    path("orders/new/places/", views.order_place_search, name="order-place-search"),
    path("orders/board/", views.order_board, name="order-board"),
    path("orders/board/<int:pk>/", views.order_board_entry, name="order-board-entry"),
    path("orders/<int:pk>/", views.order_detail, name="order-detail"),
    path("orders/<int:pk>/step/", views.order_step, name="order-step"),
    path("orders/<int:pk>/support/", views.order_support, name="order-support"),
    *urls_photos.urlpatterns,
]
