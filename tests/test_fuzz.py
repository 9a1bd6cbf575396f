"""Property-based fuzzing of the REST operations with schemathesis, in-process over ASGI: every
``GET /api/…`` operation of the app's own OpenAPI document (the named queries, fundings, the
resolver, the JSON-LD context, and whatever resource routes exist when the suite runs) gets
valid and invalid inputs generated from its documented parameters; no answer may be a 5xx, and
every answer must have a documented status, a documented media type, documented headers and a
body that fits its documented schema. The SPARQL endpoint, the Graph Store and the linked-data
pages (``/sparql``, ``/store``, ``/id``, ``/def``, ``/graph``) are left to their own tests.

The OpenAPI document is read when the module is imported, from the app built over an empty
store (the document depends on the code and the query files, not on the data); the tests then
run that same app over the session's loaded store. (``schemathesis.pytest.from_fixture`` would
build it from the fixture directly, but schemathesis 4.32 reaches into a pytest attribute that
pytest 9 no longer has.) Examples are bounded (``MAX_EXAMPLES`` per operation, no shrinking)
so that the whole module runs in well under a minute on the in-memory store."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import create_app
from api.settings import Settings
from graph.store import OxigraphStore

MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


# Generous limits: the fuzz test checks conformance, not speed (some filter combinations of the
# facilities query take several seconds on a loaded machine: see benchmarks/api.py for speed).
APP = create_app(Settings(query_timeout=120), store=OxigraphStore(None))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).include(method="GET", path_regex=r"^/api/")


@pytest.fixture(scope="module", autouse=True)
def _loaded(store: OxigraphStore) -> None:
    APP.state.store = store


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_api_operations_conform_to_their_documentation(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS, timeout=120)
