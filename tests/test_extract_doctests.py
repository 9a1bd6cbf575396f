"""The examples in the extractor's docstrings (loaders/extract/*.py) run as doctests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import loaders.extract

MODULES = sorted(m.name for m in pkgutil.iter_modules(loaders.extract.__path__, "loaders.extract."))


@pytest.mark.parametrize("name", ["loaders.extract", *MODULES])
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_examples_exist() -> None:
    attempted = sum(doctest.testmod(importlib.import_module(n)).attempted for n in MODULES)
    assert attempted >= 15
