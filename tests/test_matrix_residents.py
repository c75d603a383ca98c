"""The role × state × step matrix of register imports."""

import pytest

from .lifecycle_matrix import check_matrix
from .matrix_residents import IMPORT_JOB_SPEC

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_matrix():
    assert check_matrix(IMPORT_JOB_SPEC) > 0
