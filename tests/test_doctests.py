"""The `>>>` examples in the docstrings of the core modules are run, so they stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["graph.store", "api.guard", "api.negotiation", "api.endpoint", "api.executor",
           "api.rest", "api.routes.fundings",
           "loaders.normalize"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
