"""The role × state × step matrix of each lifecycle of health help."""

import pytest

from .lifecycle_matrix import check_matrix
from .matrix_health import SPECS


@pytest.mark.django_db
@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.lifecycle.name)
def test_matrix(spec):
    assert check_matrix(spec) > 0
