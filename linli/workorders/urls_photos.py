"""The URL of photo files, without an app namespace of its own: ``urls.py`` of this app
adds these patterns to its ``workorders`` namespace (``workorders:photo-file``)."""

from django.urls import path

from . import views_photos

urlpatterns = [
    path(
        "orders/photos/<int:pk>/<str:variant>/",
        views_photos.photo_file,
        name="photo-file",
    ),
]
