from .urls_clinics import urlpatterns as clinic_urlpatterns

app_name = "health"

urlpatterns: list = [
    # Cards, readings, alerts, follow-ups, the resident's own pages (views.py).
    # The free clinics (views_clinics.py) — their patterns are in urls_clinics.py.
    *clinic_urlpatterns,
]
