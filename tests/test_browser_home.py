"""On a 390×844 phone, in normal and large type: each demo role's home (the resident's home,
the staff workbench) and its menu page start their content in the top quarter of the
screen, do not scroll sideways, keep the tab bar in reach, and pass axe-core with no serious
or critical violation."""

from pathlib import Path

import pytest

from .browser_helpers import PHONE, phone
from .lifecycle_matrix import DEMO_USERS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()


def axe_problems(tab) -> list[str]:
    # Evaluated through the DevTools protocol, which the page's CSP does not govern.
    tab.evaluate(AXE)
    result = tab.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"
    )
    return result


def large_type_problems(tab) -> list[str]:
    """MIIT's 适老化 guidance: text of at least 18 px, touch targets of at least 44 px."""
    return tab.evaluate(
        """() => {
        const problems = [];
        const size = parseFloat(getComputedStyle(document.body).fontSize);
        if (size < 18) problems.push(`body text ${size}px`);
        const targets = 'button, [role=button], .tab-bar a, .menu-list a';
        for (const el of document.querySelectorAll(targets)) {
          const box = el.getBoundingClientRect();
          if (box.width && box.height && box.height < 44)
            problems.push(`${el.textContent.trim().slice(0, 20)}: ${box.height}px tall`);
        }
        return problems;
        }"""
    )


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-type"])
def test_every_roles_home_fits_a_phone_and_passes_axe(live_server, demo_world_tx, browser, large):
    problems = []
    for username in DEMO_USERS:
        context, tab = phone(browser, live_server.url, username, large=large)
        for path in ("/", "/me/"):
            tab.goto(f"{live_server.url}{path}")
            tab.wait_for_load_state()
            where = f"{username} {path}"
            width = tab.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"{where}: {width}px wide")
            top = tab.evaluate(
                "document.querySelector('main').firstElementChild.getBoundingClientRect().top"
            )
            if top > PHONE["height"] / 4:
                problems.append(f"{where}: content starts at {top:.0f}px")
            bar = tab.get_by_test_id("tab-bar")
            if not bar.is_visible():
                problems.append(f"{where}: no tab bar")
            if path == "/":  # each role's main page
                problems += [f"{where}: {p}" for p in axe_problems(tab)]
            if large:
                problems += [f"{where}: {p}" for p in large_type_problems(tab)]
        context.close()
    assert problems == []


def test_a_resident_goes_from_home_to_reporting_and_signs_out(live_server, demo_world_tx, browser):
    context, tab = phone(browser, live_server.url, "resident", large=True)
    tab.get_by_test_id("quick-actions").get_by_role("button", name="反映问题").click()
    tab.wait_for_url("**/orders/new/**")
    tab.get_by_test_id("tab-bar").get_by_role("link", name="我的").click()
    tab.wait_for_url("**/me/")
    tab.get_by_test_id("me-sign-out").click()
    tab.wait_for_url("**/accounts/login/")
    context.close()
