"""/open311/v2/: every resource in both formats, chosen by the extension as the
specification has it; anything else is the specification's 404."""

from django.urls import re_path

from . import views

app_name = "open311"

FORMAT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    # The endpoint's root serves discovery too, as the Service Discovery page suggests.
    re_path(r"^$", views.discovery, name="root"),
    re_path(r"^discovery" + FORMAT, views.discovery, name="discovery"),
    re_path(r"^services" + FORMAT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+)" + FORMAT, views.service_definition, name="service"),
    re_path(r"^requests" + FORMAT, views.requests, name="requests"),
    re_path(r"^requests/(?P<pk>[^/]+)" + FORMAT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+)" + FORMAT, views.token_detail, name="token"),
    re_path(r"^(?P<path>.*?)(?:\.(?P<fmt>json|xml))?$", views.not_found),
]
