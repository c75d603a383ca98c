"""The home page, the large-type switch and a health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from .context_processors import LARGE_TYPE_COOKIE
from .models import Notification
from .navigation import (
    STAFF,
    audience_of,
    home_panels,
    home_sections,
    open_items,
    quick_actions,
    work_counts,
)
from .pagination import paginate


@login_required
def home(request):
    """Staff open on their workbench (what waits for them); residents on what they come to
    do, their open matters and the compound's notices."""
    if audience_of(request.user) == STAFF:
        context = {"counts": work_counts(request), "sections": home_sections(request)}
        template = "core/workbench.html"
    else:
        context = {"actions": quick_actions(request), "open_items": open_items(request)}
        template = "core/home.html"
    return render(request, template, {**context, "panels": home_panels(request)})


@login_required
def me(request):
    """我的: the account, everything the menu holds, language, large type and signing out (on
    a phone the tab bar has room for four entries only)."""
    return render(
        request,
        "core/me.html",
        {
            "sections": home_sections(request),
            "notifications_url": reverse("core:notification-list"),
        },
    )


def safe_next(request, fallback="/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or request.META.get("HTTP_REFERER")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
def large_type(request):
    response = HttpResponseRedirect(safe_next(request))
    if request.POST.get("on") == "1":
        response.set_cookie(
            LARGE_TYPE_COOKIE,
            "1",
            max_age=60 * 60 * 24 * 365,
            samesite="Lax",
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(LARGE_TYPE_COOKIE, samesite="Lax")
    return response


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def notification_list(request):
    notifications = Notification.objects.filter(user=request.user).order_by("-at", "-id")
    return render(
        request, "core/notification_list.html", {"page": paginate(request, notifications)}
    )


@login_required
@require_POST
def notification_read_all(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("core:notification-list")
