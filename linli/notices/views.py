"""Pages of notices (公示): the list of what a user's places published, one notice, and the
home page's panel of the latest ones."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from linli.core.pagination import paginate

from . import selectors
from .links import may_open

HOME_COUNT = 3


@login_required
def notice_list(request):
    notices = selectors.notice_list(user=request.user)
    return render(request, "notices/notice_list.html", {"page": paginate(request, notices)})


@login_required
def notice_detail(request, pk):
    notice = selectors.notice_get(user=request.user, pk=pk)
    # The link only for those who may open what it leads to (a meeting's record is its
    # compound's residents' and participants', not every worker's who sees the notice).
    link = notice.url if may_open(request.user, notice.url) else ""
    return render(request, "notices/notice_detail.html", {"notice": notice, "link": link})


def home_panel_context(request) -> dict | None:
    """The latest notices for the home page; no panel when there are none."""
    notices = list(selectors.notice_list(user=request.user)[:HOME_COUNT])
    return {"notices": notices} if notices else None
