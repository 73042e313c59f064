"""The environment every test and fixture is built in (tests/conftest.py's ``ci_environment`` and
``ci_session_environment``): CI's, whatever the machine running the tests has set."""

from __future__ import annotations

import os
import time

import pytest


@pytest.fixture(scope="module")
def seen_by_a_module_fixture():
    """What a fixture built once for its module (a workbook, a LibreOffice batch) sees of the environment."""
    return os.environ.get("TZ"), time.tzname[0], "SOURCE_DATE_EPOCH" in os.environ


def test_a_module_fixture_is_built_in_ci_environment(seen_by_a_module_fixture):
    """A module fixture sees TZ=UTC and no SOURCE_DATE_EPOCH, as its tests do (it was built in the machine's
    environment: a zone east of UTC, an epoch left exported, moved what it built before any test ran)."""
    assert seen_by_a_module_fixture == ("UTC", "UTC", False)


def test_a_test_sees_ci_environment_and_its_changes_are_undone(monkeypatch):
    """A test sees UTC and no epoch; what it sets is gone for the next (the per-test fixture puts back the
    session's)."""
    assert (os.environ.get("TZ"), time.tzname[0], "SOURCE_DATE_EPOCH" in os.environ) == ("UTC", "UTC", False)
    os.environ["SOURCE_DATE_EPOCH"] = "1077494400"  # (not by monkeypatch: the fixture's teardown must undo it)


def test_the_last_test_s_epoch_is_gone():
    """The epoch the test before set (in file order; under xdist's load groups the module runs on one worker)."""
    assert "SOURCE_DATE_EPOCH" not in os.environ
