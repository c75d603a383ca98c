"""The framework floor of ``make bench``: a bare Django view that inserts one row, served by
the same gunicorn, settings, middleware and database as the site, so that the API's write
path can be read as a share of what Django itself reaches on this machine.

Only ``linli.settings.bench`` mounts it (as its ``ROOT_URLCONF``, the site's URLs plus
``POST /bench/floor``); no other settings import this module, so a deployment never serves
it. Its row lives in a registry of its own, not the project's: no migration, admin or
system check sees it, and ``floor_table_ensure`` creates its table in the bench database."""

import json

from django.apps.registry import Apps
from django.db import connection, models
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from linli import urls as site

FLOOR_PATH = "/bench/floor"
floor_apps = Apps()


class FloorRow(models.Model):
    """One row per floor request: about the size of a small real row, one index (the key)."""

    at = models.DateTimeField()
    label = models.CharField(max_length=200)

    class Meta:
        apps = floor_apps
        app_label = "benchfloor"
        db_table = "linli_bench_floor_row"

    def __str__(self) -> str:
        return self.label


def floor_table_ensure() -> None:
    if FloorRow._meta.db_table not in connection.introspection.table_names():
        with connection.schema_editor() as editor:
            editor.create_model(FloorRow)


@csrf_exempt
@require_POST
def floor(request: HttpRequest) -> JsonResponse:
    """Read a JSON body, insert one row, answer JSON 201: a request, a parse, one INSERT."""
    label = str(json.loads(request.body or b"{}").get("label", ""))[:200]
    row = FloorRow.objects.create(at=timezone.now(), label=label)
    return JsonResponse({"id": row.pk}, status=201)


urlpatterns = [path(FLOOR_PATH.lstrip("/"), floor, name="bench-floor"), *site.urlpatterns]

handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
