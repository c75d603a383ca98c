"""Pages of notices (公示): the list of what a user's places published, one notice, and the
home page's panel of the latest ones."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from linli.core.pagination import paginate

from . import selectors

HOME_COUNT = 3


@login_required
def notice_list(request):
    notices = selectors.notice_list(user=request.user)
    return render(request, "notices/notice_list.html", {"page": paginate(request, notices)})


@login_required
def notice_detail(request, pk):
    notice = selectors.notice_get(user=request.user, pk=pk)
    return render(request, "notices/notice_detail.html", {"notice": notice})


def home_panel_context(request) -> dict | None:
    """The latest notices for the home page; no panel when there are none."""
    notices = list(selectors.notice_list(user=request.user)[:HOME_COUNT])
    return {"notices": notices} if notices else None
