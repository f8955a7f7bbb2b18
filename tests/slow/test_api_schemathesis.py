"""Schemathesis against /api/v1/openapi.json, in-process (WSGI), with a token holding every
scope: every operation, valid and invalid data (half the valid cases aimed at a real booking
or service), a bounded number of examples, no 5xx, and every answer as the document says.

Left out: the "schema-valid request rejected" check. A time off the slot grid, a reason id
that doesn't exist or a date a year away are valid JSON Schema and rightly a 422 here.
Schemathesis' own pytest wrapper does not run under pytest 9 (it reads a node attribute pytest
removed), so each operation's strategy is driven with Hypothesis' @given directly.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from portal.web.api.openapi import DOCUMENT
from tests.support.api_support import EVERY_SCOPE, integration, token_for

OPERATIONS = [(path, method.upper()) for path, item in DOCUMENT["paths"].items()
              for method in item]
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE


def _real(path, world):
    """Path parameters naming things that exist, so valid cases reach the services."""
    return {name: value for name, value in (("ref", world.later.ref),
                                            ("service_id", world.service.id))
            if "{" + name + "}" in path}


@pytest.mark.parametrize("path,method", OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_api_answers_as_documented(app, world, path, method):
    app.config["API_RATE_LIMIT"] = "100000 per minute"  # schemathesis calls fast, on purpose
    token = token_for(integration(), EVERY_SCOPE)
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    cases = st.one_of(operation.as_strategy(POSITIVE),
                      operation.as_strategy(POSITIVE, path_parameters=_real(path, world)),
                      operation.as_strategy(NEGATIVE))

    @given(case=cases)
    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"},
                               excluded_checks=[positive_data_acceptance])

    try:
        check()
    finally:
        app.config.pop("API_RATE_LIMIT")
