"""Pages of the register's import and export: the upload, the check's report and the
confirmation, the template, the Excel export. Thin: ``services_import``, ``selectors``,
``import_files`` and ``exports`` do the work; anyone without the permission is told the page
does not exist."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from linli.core.errors import LinliError
from linli.core.xlsx import xlsx_response

from . import exports, import_files, selectors, services_import
from .forms import ImportUploadForm, ResidentFilterForm
from .models import IMPORT_RUNNING, ImportStatus

# A queued check or import that has not started after this long is told to be waiting for
# the task worker, which may not be running (runserver under base settings).
WORKER_HINT_AFTER = timedelta(seconds=30)


def _waiting_worker(job) -> int:
    """Minutes a running job has waited without a row read (0: it is moving, or only just
    queued)."""
    if job.status not in IMPORT_RUNNING or job.processed_rows:
        return 0
    queued_at = selectors.import_job_queued_at(job=job)
    waited = timezone.now() - queued_at if queued_at else timedelta(0)
    if waited < WORKER_HINT_AFTER:
        return 0
    return max(1, round(waited.total_seconds() / 60))


def _template_context(job) -> dict:
    return {
        "job": job,
        "running": job.status in IMPORT_RUNNING,
        "waiting_worker": _waiting_worker(job),
    }


@login_required
@require_http_methods(["GET", "POST"])
def resident_import_start(request):
    compounds = selectors.import_compounds(user=request.user)
    if not compounds:
        raise Http404("Not here.")
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        compounds=compounds,
        initial={"compound": compounds[0].pk} if len(compounds) == 1 else None,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > import_files.MAX_FILE_BYTES:
            form.add_error(
                "file",
                _("The file is larger than %(mb)s MB; split it into smaller files.")
                % {"mb": import_files.MAX_FILE_BYTES // (1024 * 1024)},
            )
        else:
            try:
                job = services_import.import_job_create(
                    actor=request.user,
                    compound=form.cleaned_data["compound"],
                    file_name=upload.name,
                    data=upload.read(),
                )
            except LinliError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("residents:resident-import-detail", pk=job.pk)
    return render(
        request,
        "residents/import_start.html",
        {
            "form": form,
            "jobs": selectors.import_job_list(user=request.user),
            "columns": import_files.COLUMNS,
            "max_rows": f"{import_files.MAX_ROWS:,}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_import_detail(request, pk):
    job = selectors.import_job_get(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services_import.import_job_confirm(actor=request.user, job=job)
        except LinliError as exc:
            messages.error(request, exc.message)
        return redirect("residents:resident-import-detail", pk=job.pk)
    if request.htmx:
        if job.status not in IMPORT_RUNNING:
            # Finished: reload the whole page, which shows the report.
            return HttpResponseClientRefresh()
        return render(request, "residents/_import_progress.html", _template_context(job))
    return render(
        request,
        "residents/import_detail.html",
        {
            **_template_context(job),
            "ready": job.status == ImportStatus.READY,
            "done": job.status == ImportStatus.DONE,
            "more_errors": max(0, job.error_count - len(job.errors)),
        },
    )


@login_required
@require_GET
def resident_import_template(request):
    if not request.user.has_perm("residents.add_resident", None):
        raise Http404("Not here.")
    response = xlsx_response("居民导入模板.xlsx", "residents-import-template.xlsx")
    response.write(import_files.import_template_bytes())
    return response


@login_required
@require_GET
def resident_export(request):
    if not request.user.has_perm("residents.export_resident"):
        raise Http404("Not here.")
    filters = ResidentFilterForm(request.GET).cleaned_filters()
    response = xlsx_response(*exports.export_filename())
    response["Cache-Control"] = "no-store"
    exports.residents_export(
        actor=request.user,
        filters=filters,
        reveal=request.GET.get("reveal") == "1",
        out=response,
        request=request,
    )
    return response
