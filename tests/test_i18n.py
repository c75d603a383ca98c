"""The Chinese catalogue is complete: every UI string in the code and templates has a
translation, and the committed .mo matches the .po."""

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

from linli.core.i18n import LOCALE_DIR

PO = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def untranslated(po: polib.POFile) -> list[str]:
    return [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]


def test_every_catalogue_entry_is_translated():
    po = polib.pofile(str(PO))
    assert len(po) > 100
    assert untranslated(po) == []


def test_the_compiled_catalogue_is_up_to_date(tmp_path):
    fresh = tmp_path / "django.mo"
    polib.pofile(str(PO)).save_as_mofile(str(fresh))
    assert {e.msgid: e.msgstr for e in polib.mofile(str(fresh))} == {
        e.msgid: e.msgstr for e in polib.mofile(str(MO))
    }, "run: make messages"


def test_every_ui_string_in_the_code_has_a_translation(tmp_path, settings, monkeypatch):
    if not shutil.which("xgettext"):
        pytest.skip("GNU gettext is not installed (apt-get install gettext); .ci/run installs it")
    source = Path(LOCALE_DIR).parent
    work = tmp_path / "linli"
    shutil.copytree(
        source, work, ignore=shutil.ignore_patterns("static", "__pycache__", "migrations")
    )
    settings.LOCALE_PATHS = [str(work / "locale")]
    monkeypatch.chdir(work)
    call_command(
        "makemessages", locale=["zh_Hans"], no_obsolete=True, no_location=True, verbosity=0
    )
    po = polib.pofile(str(work / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = untranslated(po)
    assert missing == [], f"translate these in {PO} (make messages): {missing}"
