"""Paginating a list page the same way everywhere: every list's pager (includes/pager.html)
offers the first and last page, the numbers around the current one and a jump to any page."""

from django.core.paginator import Paginator

PAGE_SIZE = 50


def paginate(request, queryset, *, per_page: int = PAGE_SIZE):
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    # The numbers the pager shows: the first, the last and two either side of this page;
    # None where numbers are left out.
    page.numbers = [
        n if isinstance(n, int) else None
        for n in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    return page
