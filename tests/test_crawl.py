"""No link shown to a role answers 404 or 500 for that role (issue 14): as every demo role,
follow every link of every page reachable from the home page (the same pages' varieties —
one order, one booking — sampled a few at a time), and fail on any link that does not open."""

import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest

from .lifecycle_matrix import DEMO_USERS

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"]+)"')
# Not pages of the product: the admin (its own app), the API's documents, files, signing out.
SKIP = ("/admin/", "/api/", "/static/", "/media/", "/accounts/logout/", "/i18n/")
FILES = (".xlsx", ".csv", ".ics", ".pdf", ".png", ".jpg", ".svg", ".json")
PAGES_PER_ROLE = 160
SAMPLES_PER_SHAPE = 3  # /orders/17/ and /orders/18/ are one shape: a few of each are opened


def shape(url: str) -> str:
    path, _, query = url.partition("?")
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return re.sub(r"\d+", "N", path) + ("?" + "&".join(keys) if keys else "")


def crawl(client) -> tuple[list[str], int]:
    seen, problems = {"/"}, []
    queue, shapes, opened = deque([("/", "start")]), Counter(), 0
    while queue and opened < PAGES_PER_ROLE:
        url, source = queue.popleft()
        answer = client.get(url, follow=True)
        opened += 1
        if answer.status_code != 200:
            problems.append(f"{url} answered {answer.status_code} (linked from {source})")
            continue
        if "text/html" not in answer.get("Content-Type", ""):
            continue
        for href in HREF.findall(answer.content.decode()):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/"):
                continue
            if href.startswith(SKIP) or parts.path.endswith(FILES) or href in seen:
                continue
            seen.add(href)
            if shapes[shape(href)] >= SAMPLES_PER_SHAPE:
                continue
            shapes[shape(href)] += 1
            queue.append((href, url))
    return problems, opened


@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_link_a_role_is_shown_opens(client_for, username):
    problems, opened = crawl(client_for(username))
    assert opened > 10  # the crawl went somewhere
    assert problems == []
