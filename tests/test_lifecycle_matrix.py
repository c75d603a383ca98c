"""The generated role × state × step matrix over every step table of the project (see
``lifecycle_matrix``): each lifecycle registered with ``core.lifecycle`` has a spec, and
for each, exactly the allowed (actor, state, step) triples succeed."""

import importlib
import pkgutil
from pathlib import Path

import pytest

import linli
from linli.core.lifecycle import LIFECYCLES

from .lifecycle_matrix import ACTORS, SPECS, check_matrix


def _import_all(package, pattern: str) -> None:
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        leaf = module.name.rsplit(".", 1)[-1]
        if leaf.startswith(pattern) and ".migrations" not in module.name:
            importlib.import_module(module.name)


# Every services module registers its lifecycles; every tests/matrix_*.py its specs.
_import_all(linli, "services")
for path in sorted(Path(__file__).parent.glob("matrix_*.py")):
    importlib.import_module(f"tests.{path.stem}")


def test_every_step_table_has_a_matrix():
    assert LIFECYCLES, "no lifecycle registered"
    missing = sorted(set(LIFECYCLES) - set(SPECS))
    assert not missing, f"lifecycles without a matrix spec in tests/matrix_*.py: {missing}"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Import jobs and photos store files: in a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SPECS))
def test_exactly_the_allowed_triples_succeed(name):
    spec = SPECS[name]
    checked = check_matrix(spec)
    steps = len(spec.lifecycle.steps) - len(spec.skip)
    assert checked == len(spec.lifecycle.statuses()) * steps * len(ACTORS)
