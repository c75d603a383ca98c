"""What the browser tests share: signing in as a demo account, and a phone (390×844) in
either type size."""

from linli.core.context_processors import LARGE_TYPE_COOKIE

WIDTH = 390
PHONE = {"width": WIDTH, "height": 844}


def sign_in(tab, url, username):
    """Sign ``tab`` in as the demo account ``username`` (demo password) on the server at
    ``url``; fails the test if the sign-in page stays."""
    tab.goto(f"{url}/accounts/login/")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", "linli-demo")
    tab.get_by_test_id("sign-in").click()
    tab.wait_for_load_state()
    assert "/accounts/login/" not in tab.url, f"{username} could not sign in"


def phone(browser, url, username, *, large: bool = False):
    """A new phone-sized browser context, in large type if asked, signed in as ``username``:
    (context, tab)."""
    context = browser.new_context(viewport=PHONE)
    if large:
        context.add_cookies([{"name": LARGE_TYPE_COOKIE, "value": "1", "url": url}])
    tab = context.new_page()
    sign_in(tab, url, username)
    return context, tab
