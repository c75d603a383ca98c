"""Compiling the translation catalogues without GNU gettext (``python -m linli.core.i18n
compile``), so that a fresh machine needs nothing but Python; the compiled .mo files are also
committed."""

import sys
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogues() -> list[Path]:
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


def compile_all() -> list[Path]:
    import polib

    written = []
    for po_path in catalogues():
        mo_path = po_path.with_suffix(".mo")
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


if __name__ == "__main__":
    if sys.argv[1:] == ["compile"]:
        for path in compile_all():
            print(f"compiled {path}")
    else:
        print("usage: python -m linli.core.i18n compile")
        sys.exit(2)
