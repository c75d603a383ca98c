"""The home page as each person meets it (issue 14): a resident opens on what they come to
do, their open matters and the compound's notices, with a resident's menu; staff open on
their workbench, whose every count links to the list of exactly those records."""

import re

import pytest

from linli.workorders.models import Channel
from linli.workorders.selectors import category_by_code
from linli.workorders.services import order_file

from .lifecycle_matrix import DEMO_USERS

pytestmark = pytest.mark.django_db

STAFF_ONLY_LINKS = ("/places/", "/organisations/", "/residents/", "/accounts/audit/")


def links(html: str) -> set[str]:
    return {href.replace("&amp;", "&") for href in re.findall(r'href="([^"#]+)"', html)}


def tab_labels(html: str) -> list[str]:
    bar = re.search(r'<nav class="tab-bar.*?</nav>', html, re.S).group(0)
    return [label.strip() for label in re.findall(r"<a [^>]*>([^<]+)", bar)]


def counts(html: str) -> dict[str, tuple[int, str]]:
    """The workbench's counts: name → (number, the list it links to)."""
    return {
        name: (int(n), href.replace("&amp;", "&"))
        for href, name, n in re.findall(
            r'<a href="([^"]+)" data-testid="count-([^"]+)"><span class="n">(\d+)', html
        )
    }


def file_at(demo, title: str, *, by: str = "resident"):
    return order_file(
        actor=demo.user(by),
        category=category_by_code("sanitation"),
        place=demo.resident_household,
        title=title,
        channel=Channel.ONLINE,
    )


def test_a_resident_opens_on_quick_actions_their_matters_and_no_staff_menu(client_for, demo):
    file_at(demo, "楼道灯不亮了")
    client = client_for("resident")
    html = client.get("/").content.decode()

    actions = re.search(r'data-testid="quick-actions".*?</nav>', html, re.S).group(0)
    for target in ("/orders/new/", "/rooms/", "/lending/", "/meetings/proposals/"):
        assert f'href="{target}"' in actions
    assert "楼道灯不亮了" in re.search(r'data-testid="open-orders".*?</ul>', html, re.S).group(0)
    assert tab_labels(html) == ["首页", "报事", "预约", "借用", "我的"]
    assert "工作台" not in html

    menu = client.get("/me/").content.decode()
    for page_html in (html, menu):
        assert not links(page_html) & set(STAFF_ONLY_LINKS)
    assert "浏览您负责的" not in menu  # the staff's text of the place list
    assert 'data-testid="me-sign-out"' in menu


def test_the_residents_account_page_speaks_to_a_resident(client_for):
    html = client_for("resident").get("/accounts/me/").content.decode()
    assert "linli token" not in html
    assert "API tokens" not in html and "API 令牌" not in html


def test_a_staff_member_opens_on_the_workbench(client_for):
    html = client_for("community").get("/").content.decode()
    assert "工作台" in html
    assert tab_labels(html)[0] == "工作台" and tab_labels(html)[-1] == "我的"
    assert 'data-testid="quick-actions"' not in html
    assert {"orders-submitted", "bookings-pending", "loans-overdue", "proposals-open"} <= set(
        counts(html)
    )


def test_a_workbench_count_lists_exactly_its_records(client_for, demo):
    worker = client_for("community")
    before, url = counts(worker.get("/").content.decode())["orders-submitted"]
    file_at(demo, "垃圾桶满了没人清")
    file_at(demo, "单元门禁坏了")

    after, url = counts(worker.get("/").content.decode())["orders-submitted"]
    assert after == before + 2
    listed = worker.get(url).content.decode()
    assert "垃圾桶满了没人清" in listed and "单元门禁坏了" in listed
    # the queue's tab for that status says the same number as the workbench
    tab = re.search(r'href="\?status=submitted">[^<]*<span class="kind">(\d+)', listed)
    assert int(tab.group(1)) == after


@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_count_and_tab_of_every_role_opens(
    client_for, username, django_assert_max_num_queries
):
    client = client_for(username)
    with django_assert_max_num_queries(40):
        home = client.get("/")
    assert home.status_code == 200
    html = home.content.decode()
    targets = [url for _n, url in counts(html).values()]
    bar = re.search(r'<nav class="tab-bar.*?</nav>', html, re.S).group(0)
    targets += re.findall(r'href="([^"]+)"', bar)
    for url in targets:
        answer = client.get(url, follow=True)
        assert answer.status_code == 200, (username, url)


def test_the_community_worker_sees_one_page_per_resident(
    client_for, demo, django_assert_max_num_queries
):
    from linli.residents.models import Resident

    resident = Resident.objects.get(user=demo.user("resident"))
    file_at(demo, "六号楼的下水道堵了")
    worker = client_for("community")
    with django_assert_max_num_queries(30):
        html = worker.get(f"/residents/{resident.pk}/").content.decode()
    reports = re.search(r'data-testid="resident-orders".*?</section>', html, re.S).group(0)
    assert "六号楼的下水道堵了" in reports
    for section in ("bookings", "loans"):
        assert f'data-testid="resident-{section}"' in html
    # the address as people say it, not the tree's path
    assert "南官房小区6号楼1单元101" in html and "平城区/鹿苑街道" not in html
    # the property company does not see the register at all
    assert client_for("property").get(f"/residents/{resident.pk}/").status_code == 404
