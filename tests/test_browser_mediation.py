"""Mediation on a 390×844 phone, in normal and large type: the desk's list with the last day
for judicial confirmation, the form to register a dispute, a mediation's page with its
steps, the notice of the referred one, and the resident's own mediation — none scrolls
sideways."""

import pytest

from linli.demo.world import DEMO_PASSWORD

from .browser_helpers import WIDTH, phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(tab, url):
    tab.goto(url)
    tab.wait_for_load_state()
    assert tab.evaluate("document.documentElement.scrollWidth") <= WIDTH, url


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-type"])
def test_mediation_pages_fit_a_phone(live_server, demo_world_tx, browser, large):
    from linli.mediation.models import Mediation

    url = live_server.url
    leak = Mediation.objects.get(subject="楼上漏水")
    context, tab = phone(browser, url, "secretary", large=large)
    _fits(tab, f"{url}/servicedesk/mediations/")
    _fits(tab, f"{url}/servicedesk/mediations/new/")
    for mediation in Mediation.objects.all():
        _fits(tab, f"{url}/servicedesk/mediations/{mediation.pk}/")
    tab.goto(f"{url}/servicedesk/mediations/{leak.pk}/")
    assert tab.get_by_test_id("agreement").is_visible()
    # The referred one: its notice, reached from its page, fits the phone too.
    referred = Mediation.objects.get(status="failed")
    tab.goto(f"{url}/servicedesk/mediations/{referred.pk}/")
    tab.get_by_test_id("notice-link").click()
    tab.wait_for_load_state()
    assert tab.url.endswith(f"/servicedesk/mediations/{referred.pk}/notice/")
    assert tab.get_by_test_id("print-referral").is_visible()
    assert tab.evaluate("document.documentElement.scrollWidth") <= WIDTH
    context.close()
    # a party of the dispute with an account (the tutoring demo gave its guardians
    # accounts without a password: this one gets the demo password to sign in with)
    party = (
        leak.parties.filter(resident__user__isnull=False).select_related("resident__user").first()
    )
    assert party is not None
    user = party.resident.user
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    context, tab = phone(browser, url, user.username, large=large)
    _fits(tab, f"{url}/servicedesk/mediations/{leak.pk}/")
    assert "楼上漏水" in tab.content()
    context.close()
