"""The free clinics' pages, part of the ``health`` URL namespace (included by urls.py)."""

urlpatterns: list = []
