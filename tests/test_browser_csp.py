"""In a real Chromium, under the strict Content-Security-Policy: residents, community
workers, the branch secretary, the clinic doctor and the administrator go through their main
pages and nothing is refused (no `securitypolicyviolation` event, no console error about the
policy, no script error); the behaviours moved out of inline code still work (Print buttons,
htmx's reveal); and the listener itself does catch what the policy refuses."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in every document before its own scripts: records each violation of the policy, and
# stands in for the print dialog so that a click on Print can be counted.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.effectiveDirective} refused ${e.blockedURI || "inline"}`
    + ` (${e.sourceFile || location.pathname}:${e.lineNumber}) ${e.sample || ""}`);
}, true);
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""


class Visit:
    """One person's browser: goes to pages and keeps every problem it sees."""

    def __init__(self, browser, url, username):
        self.url = url
        self.username = username
        self.problems = []
        self.context = browser.new_context(viewport={"width": 390, "height": 844})
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.go("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", "linli-demo")
        self.page.get_by_test_id("sign-in").click()
        self.page.wait_for_load_state()
        assert "/accounts/login/" not in self.page.url, f"{username} could not sign in"

    def _console(self, message):
        text = message.text
        if message.type == "error" and "Content Security Policy" in text:
            self.problems.append(f"console: {text}")

    def collect(self):
        where = self.page.url.removeprefix(self.url)
        for violation in self.page.evaluate("window.__csp || []"):
            self.problems.append(f"{self.username} on {where}: {violation}")
        self.page.evaluate("window.__csp = []")

    def go(self, path, status=200):
        response = self.page.goto(f"{self.url}{path}")
        assert response.status == status, f"{self.username}: {path} answered {response.status}"
        self.page.wait_for_load_state()
        self.collect()
        return self.page

    def link(self, pattern):
        """The first link on the page whose path matches pattern (an object this person
        may see, whatever the demo world holds)."""
        hrefs = self.page.locator("a[href]").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        for href in hrefs:
            if re.fullmatch(pattern, href):
                return href
        raise AssertionError(f"{self.username}: no link like {pattern} on {self.page.url}")

    def follow(self, list_path, pattern):
        self.go(list_path)
        return self.go(self.link(pattern))

    def printed(self):
        return self.page.evaluate("window.__printed")


def test_every_role_goes_through_its_main_pages_with_nothing_refused(
    live_server, demo_world_tx, browser
):
    url = live_server.url
    problems = []

    resident = Visit(browser, url, "resident")
    resident.go("/")
    resident.follow("/orders/mine/", r"/orders/\d+/")
    resident.go("/orders/new/")
    room = resident.follow("/rooms/", r"/rooms/\d+/").url.removeprefix(url)
    resident.go(f"{room}book/")
    resident.go("/bookings/mine/")
    resident.follow("/lending/", r"/lending/items/\d+/")
    resident.go("/meetings/")
    resident.go("/notifications/")
    resident.go("/admin/", status=200)  # the admin's sign-in page, for someone not staff
    problems += resident.problems

    community = Visit(browser, url, "community")
    community.go("/")
    community.follow("/orders/", r"/orders/\d+/")
    community.follow("/residents/", r"/residents/\d+/")
    community.follow("/health/", r"/health/cards/\d+/")
    community.go("/health/alerts/")
    community.go("/lending/desk/")
    community.go("/bookings/desk/")
    problems += community.problems

    secretary = Visit(browser, url, "secretary")
    secretary.go("/")
    page = secretary.follow("/meetings/", r"/meetings/\d+/")
    secretary.go(secretary.link(r"/meetings/series/\d+/"))
    secretary.go("/meetings/proposals/")
    secretary.go("/orders/")
    secretary.go("/notices/")
    problems += secretary.problems

    doctor = Visit(browser, url, "doctor")
    doctor.go("/")
    page = doctor.follow("/health/", r"/health/cards/\d+/")
    assert page.locator("svg.health-chart").count() > 0  # the charts, drawn on the server
    swatch = page.locator(".health-legend svg.health-swatch circle").first
    assert re.fullmatch(r"#[0-9a-f]{6}", swatch.get_attribute("fill"))
    assert swatch.evaluate("c => getComputedStyle(c).fill") != "rgb(0, 0, 0)"
    card = page.url.removeprefix(url)
    doctor.go(f"{card}print/")
    doctor.go(f"{card}print/?size=a4")
    clinic = doctor.follow("/health/clinics/", r"/health/clinics/\d+/").url.removeprefix(url)
    doctor.go(f"{clinic}report/")
    problems += doctor.problems

    admin = Visit(browser, url, "admin")
    admin.go("/admin/")
    page = admin.go("/admin/accounts/user/")
    page.locator("#searchbar").fill("resident")
    page.locator("#searchbar").press("Enter")
    page.wait_for_load_state()
    admin.collect()
    page = admin.go(admin.link(r"/admin/accounts/user/\d+/change/(\?.*)?"))
    # the role grants inline: a new row (inlines.js), its place looked up by autocomplete
    # (select2, which positions its dropdown from script)
    rows = page.locator("tr[class*=dynamic-]")
    before = rows.count()
    page.locator(".add-row a").first.click()
    assert rows.count() == before + 1
    rows.last.locator(".field-place .select2-selection").click()
    page.locator(".select2-search__field").fill("南官房")
    page.locator(".select2-results__option", has_text="南官房").first.wait_for()
    admin.collect()
    admin.go("/admin/accounts/user/add/")
    admin.go("/admin/meetings/meeting/")  # with its date hierarchy
    page = admin.go("/api/v1/docs")
    page.locator(".swagger-ui .opblock").first.wait_for()  # Swagger UI drew the operations
    admin.collect()
    problems += admin.problems

    assert problems == []


def test_moved_behaviours_still_work_and_the_listener_catches_what_is_refused(
    live_server, demo_world_tx, browser
):
    from linli.residents.models import Resident

    url = live_server.url
    number = Resident.objects.get(name="张晓明").id_number

    # htmx: loaded from the site, told not to inject its indicator style nor to eval; its
    # reveal request still swaps the numbers in.
    community = Visit(browser, url, "community")
    page = community.go("/")
    assert page.evaluate("[htmx.config.allowEval, htmx.config.includeIndicatorStyles]") == [
        False,
        False,
    ]
    assert page.locator("style").count() == 0
    page = community.go("/residents/?q=zxm")
    page.get_by_test_id("residents").get_by_role("link", name="张晓明").click()
    page.wait_for_load_state()
    assert number not in page.get_by_test_id("id-number").inner_text()
    page.get_by_test_id("reveal").click()
    page.get_by_test_id("id-number").filter(has_text=number).wait_for()
    assert page.url.endswith(f"/residents/{Resident.objects.get(name='张晓明').pk}/")  # no reload
    community.collect()

    # Print buttons: wired by data-print in linli.js, no onclick, no javascript: URL.
    card = community.follow("/health/", r"/health/cards/\d+/").url.removeprefix(url)
    page = community.go(f"{card}print/")
    assert community.printed() == 0
    page.get_by_test_id("print").click()
    assert community.printed() == 1
    # each size's measures come from its own static style sheet: 9 pt on A6, 12 pt on A4
    font_size = "s => getComputedStyle(s).fontSize"
    assert page.get_by_test_id("print-card").evaluate(font_size) == "12px"
    page = community.go(f"{card}print/?size=a4")
    assert page.get_by_test_id("print-card").evaluate(font_size) == "16px"

    secretary = Visit(browser, url, "secretary")
    secretary.follow("/meetings/", r"/meetings/\d+/")
    page = secretary.go(secretary.page.get_by_test_id("print-link").get_attribute("href"))
    page.get_by_test_id("print").click()
    assert secretary.printed() == 1
    assert (
        page.locator("body")
        .evaluate("b => getComputedStyle(b).fontFamily")
        .startswith('"Noto Serif CJK SC"')
    )

    doctor = Visit(browser, url, "doctor")
    doctor.follow("/health/clinics/", r"/health/clinics/\d+/")
    page = doctor.go(f"{doctor.page.url.removeprefix(url)}report/")
    page.get_by_test_id("print").click()
    assert doctor.printed() == 1

    problems = community.problems + secretary.problems + doctor.problems
    assert problems == []

    # The listener is not blind: an inline script and a style attribute put in by hand are
    # refused, and reported.
    page = community.go("/")
    page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.__ran = true";
            document.head.appendChild(s);
            document.body.insertAdjacentHTML("beforeend", '<p id="x" style="color: red">x</p>');
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran") is None
    assert page.locator("#x").evaluate("p => getComputedStyle(p).color") != "rgb(255, 0, 0)"
    community.collect()
    refused = " ".join(community.problems)
    assert "script-src-elem refused inline" in refused
    assert "style-src-attr refused inline" in refused
