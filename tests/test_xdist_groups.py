"""The parallel run's grouping (tests/conftest.py): a test that shares a module-scoped fixture of its module
runs on the worker that built it; any other test, even one using pytest's own session fixtures, runs anywhere."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def built_once():
    return object()


@pytest.fixture
def through_another(built_once):
    return built_once


def _groups(request) -> list[tuple]:
    return [mark.args for mark in request.node.iter_markers("xdist_group")]


def test_a_test_using_a_module_fixture_is_in_its_modules_group(request, built_once):
    assert _groups(request) == [(__name__,)]
    if hasattr(request.config, "workerinput"):  # under xdist: the worker read the mark (its nodeid carries it)
        assert request.node.nodeid.endswith(f"@{__name__}"), request.node.nodeid


def test_a_module_fixture_reached_through_another_fixture_counts(request, through_another):
    assert _groups(request) == [(__name__,)]


def test_a_test_with_only_function_and_pytest_fixtures_is_not_grouped(request, tmp_path, tmp_path_factory):
    assert _groups(request) == []
    assert "@" not in request.node.nodeid


def test_a_module_that_spreads_its_tests_is_not_grouped(request):
    import test_recalc

    assert test_recalc.SPREAD_ACROSS_WORKERS is True
    items = [i for i in request.session.items if i.module is test_recalc and "books" in i.fixturenames]
    for item in items:  # empty when this file runs without test_recalc.py
        assert not list(item.iter_markers("xdist_group")), item.nodeid
