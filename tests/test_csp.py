"""The Content-Security-Policy: every page sends a strict one (scripts and styles only from the
site itself, nothing inline, no eval), and no template or Python-drawn markup carries what such
a policy refuses: an inline <script>, an on…= handler, a javascript: URL, a <style> block or a
style= attribute, nor the htmx attributes that need eval. The browser side is in
tests/test_browser_csp.py."""

import json
import re
from pathlib import Path

import pytest
from django.test import Client

import linli

ROOT = Path(linli.__file__).parent

# What a strict policy refuses, as it may appear in a template's or a Python file's markup.
HOLES = {
    "inline <script> (give it a src under static/)": re.compile(
        r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*\btype\s*=\s*[\"']application/(?:ld\+)?json[\"'])"
        r"[^>]*>",
        re.I,
    ),
    "on…= event handler (wire it in static/linli/linli.js)": re.compile(
        r"<[a-z][^<>]*\son[a-z]{3,}\s*=", re.I
    ),
    "javascript: URL": re.compile(r"javascript\s*:", re.I),
    "<style> block (move it to a static CSS file)": re.compile(r"<style\b", re.I),
    "style= attribute (use a class, or an SVG presentation attribute)": re.compile(
        r"<[a-z][^<>]*\sstyle\s*=", re.I
    ),
    "hx-on (htmx evaluates it; allowEval is off)": re.compile(r"\b(?:data-)?hx-on\b", re.I),
    "hx-vars or js: in hx-vals (htmx evaluates them)": re.compile(
        r"\bhx-vars\b|\bhx-vals\s*=\s*[\"']\s*(?:javascript|js)\s*:", re.I
    ),
    "hx-trigger event filter [...] (htmx evaluates it)": re.compile(
        r"\bhx-trigger\s*=\s*[\"'][^\"']*\[", re.I
    ),
}


def holes_in(text: str) -> list[str]:
    found = []
    for name, pattern in HOLES.items():
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{name}, line {line}: {match.group(0)[:80]!r}")
    return found


def parse_policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_strict(response):
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']} sends no Content-Security-Policy"
    policy = parse_policy(header)
    for directive in ("script-src", "style-src", "default-src"):
        assert policy[directive] == ["'self'"], (directive, header)
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "http:" not in header and "https:" not in header and "*" not in header
    assert "Content-Security-Policy-Report-Only" not in response.headers


# --- the class of hole stays closed in the source -------------------------------------------


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>",
        '<script type="module">import x from "/x.js"</script>',
        '<button type="button" onclick="window.print()">',
        "<body onload='go()'>",
        '<a href="javascript:window.print()">',
        "<style>.x { color: red }</style>",
        '<i style="background:#fff"></i>',
        '<div hx-on:click="alert(1)">',
        "<div hx-vals='js:{\"a\": 1}'>",
        "<input hx-trigger=\"keyup[key=='Enter']\">",
    ],
)
def test_the_scanner_finds_each_kind_of_hole(markup):
    assert holes_in(markup)


@pytest.mark.parametrize(
    "markup",
    [
        '<script src="/static/linli/linli.js" defer></script>',
        '<script type="application/json" id="data">{"a": 1}</script>',
        '<button type="button" data-print>',
        '<svg><circle r="5" fill="#2e8b57"/></svg>',
        '<link rel="stylesheet" href="/static/linli/linli.css">',
        '<div hx-get="/x/" hx-trigger="every 1s" hx-swap="outerHTML">',
        "<p>Online now, styles of living</p>",
    ],
)
def test_the_scanner_lets_safe_markup_pass(markup):
    assert holes_in(markup) == []


def test_no_template_carries_inline_script_handlers_or_styles():
    templates = sorted(
        path for path in ROOT.rglob("*.html") if "templates" in path.relative_to(ROOT).parts
    )
    assert len(templates) > 50  # the scan sees the project's templates
    found = {
        str(path.relative_to(ROOT)): holes
        for path in templates
        if (holes := holes_in(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_no_python_code_draws_inline_styles_or_scripts():
    """Markup drawn in Python (the health charts' SVG, the QR code) uses presentation
    attributes (fill=, stroke=) and classes, never style= or script."""
    sources = [path for path in ROOT.rglob("*.py") if "migrations" not in path.parts]
    found = {
        str(path.relative_to(ROOT)): holes
        for path in sources
        if (holes := holes_in(path.read_text(encoding="utf-8")))
    }
    assert found == {}


# --- pages send the policy, and what they render keeps to it ----------------------------------


def detail_link(client, list_url, pattern):
    """The first link on a list page that matches pattern: an object the signed-in user may
    see, whatever the demo world holds."""
    page = client.get(list_url)
    assert page.status_code == 200, list_url
    match = re.search(pattern, page.content.decode())
    assert match, f"no link like {pattern} on {list_url}"
    return match.group(0)


def test_anonymous_pages_send_the_strict_policy(db):
    client = Client()
    for url in ("/accounts/login/", "/no-such-page/", "/api/v1/docs"):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert_strict(response)
        if response.headers["Content-Type"].startswith("text/html"):
            assert holes_in(response.content.decode()) == [], url


def test_signed_in_pages_send_the_strict_policy_and_render_nothing_inline(client_for):
    resident = client_for("resident")
    secretary = client_for("secretary")
    doctor = client_for("doctor")
    admin = client_for("admin")
    meeting = detail_link(secretary, "/meetings/", r"/meetings/\d+/")
    card = detail_link(doctor, "/health/", r"/health/cards/\d+/")
    pages = [
        (resident, "/"),
        (resident, "/orders/mine/"),
        (secretary, "/orders/"),
        (secretary, detail_link(secretary, "/orders/", r"/orders/\d+/")),
        (resident, "/orders/new/"),
        (resident, detail_link(resident, "/orders/mine/", r"/orders/\d+/")),
        (resident, "/rooms/"),
        (resident, detail_link(resident, "/rooms/", r"/rooms/\d+/")),
        (resident, "/lending/"),
        (secretary, meeting),
        (secretary, f"{meeting}print/"),
        (doctor, card),  # with the trend charts drawn in Python
        (doctor, f"{card}print/"),
        (doctor, f"{card}print/?size=a4"),
        (admin, "/admin/"),
        (admin, "/admin/accounts/user/"),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response)
        assert holes_in(response.content.decode()) == [], url


def test_the_card_print_page_prints_by_a_static_script(client_for):
    doctor = client_for("doctor")
    card = detail_link(doctor, "/health/", r"/health/cards/\d+/")
    for size, sheet in (("a6", "card-print-a6.css"), ("a4", "card-print-a4.css")):
        page = doctor.get(f"{card}print/?size={size}").content.decode()
        assert "/static/linli/card-print.css" in page and f"/static/linli/{sheet}" in page
        assert "/static/linli/linli.js" in page
        assert re.search(r"<button[^>]*\bdata-print\b", page)


def test_htmx_is_told_not_to_inject_styles_nor_eval(client_for):
    page = client_for("resident").get("/").content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert match
    assert json.loads(match.group(1)) == {"includeIndicatorStyles": False, "allowEval": False}
