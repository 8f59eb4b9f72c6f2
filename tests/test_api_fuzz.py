"""Property-based tests of the JSON API against its own OpenAPI description (schemathesis, in-process over ASGI).

Every GET operation of ``/openapi.json`` is called with requests generated from its parameters (valid and, for the
generator's edge cases, invalid ones) over the example corpus; each answer must not be a server error and must be
what the description says: a documented status code, the documented media type and a body matching the schema.
Examples are bounded (``MAX_EXAMPLES`` an operation, no deadline) so the file runs in well under a minute on two
cores; the seed is fixed, so a failure found once is found again.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import create_engine

from solidarity_atlas import kb
from solidarity_atlas.store.db import connect
from solidarity_atlas.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx in its test client
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
MAX_EXAMPLES = 25  # per operation: 14 GET operations, about 20 s in all on one core
ADMIN_TOKEN = "fuzz-admin-token-0123456789abcdef"  # so the audit log answers 200, and its body is checked too
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# The description does not depend on the data, so it is read at import from an application over an engine that is
# never connected; the requests go to the application over the example corpus (``app=`` below).  (schemathesis's
# from_fixture, which would load it from a fixture, fails on pytest 9: it reads ``node._nodeid``, gone in pytest 9.)
schema = schemathesis.openapi.from_dict(
    create_app(engine=create_engine("sqlite://"), rate_per_second=0).openapi()).include(method="GET")


@pytest.fixture(scope="module")
def application(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = str(tmp_path_factory.mktemp("fuzz") / "atlas.db")
    assert kb.ingest([str(EXAMPLES)], connect(path)).stored == 13
    return create_app(path, rate_per_second=0, admin_token=ADMIN_TOKEN)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_get_operations_answer_as_described(application: Any, case: schemathesis.Case) -> None:
    case.call_and_validate(app=application, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, checks=CHECKS)


# -- what the fuzzing found, pinned ------------------------------------------------------------------------------


def test_ids_past_64_bits_are_not_found(application: Any) -> None:
    with TestClient(application) as client:
        for path in ("/api/v1/statements/9223372036854775808", "/api/v1/events/99999999999999999999",
                     "/statements/9223372036854775808", "/events/-9223372036854775809"):
            assert client.get(path).status_code == 404, path  # was a 500: the driver cannot bind such a number
        assert client.get("/api/v1/statements/-1").status_code == 404


def test_a_network_without_links_has_no_modularity(application: Any) -> None:
    with TestClient(application) as client:
        answer = client.get("/api/v1/network", params={"limit": 1})  # one organisation: no link among those shown
        assert answer.status_code == 200  # was a 500: networkx divides by the total weight of the links
        found = answer.json()
        assert len(found["nodes"]) == 1 and found["edges"] == [] and found["modularity"] is None
