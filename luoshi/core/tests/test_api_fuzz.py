"""Schemathesis over the whole API (issue 15): every operation of the OpenAPI schema, fuzzed with bounded
examples under each role's token, must never answer a server error (5xx). The schema is the one the API
serves, so a new endpoint is fuzzed as soon as it exists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings

from luoshi.accounts.services import token_create

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 4
ROLES = ("admin", "staff", "enterprise")


@pytest.fixture
def _connection_kept_across_requests() -> Iterator[None]:
    """The WSGI app is called directly (not through Django's test client), so its request signals would close the
    database connection after each call — on PostgreSQL that drops the test's transaction. Django's test client
    disconnects the same handler for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _schema() -> Any:
    from luoshi.api import api

    schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/"))
    schema.app = get_wsgi_application()
    return schema


@pytest.mark.usefixtures("_connection_kept_across_requests")
@pytest.mark.parametrize("role", ROLES)
def test_no_operation_answers_a_server_error(role: str, users: dict[str, Any]) -> None:
    from django.conf import settings as django_settings

    django_settings.ALLOWED_HOSTS = [*django_settings.ALLOWED_HOSTS, "localhost", "testserver"]
    token = token_create(user=users[role], name="fuzz")
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in _schema().get_all_operations()]
    assert len(operations) > 40, "the API schema lost its operations"
    failures: list[str] = []

    for operation in operations:
        _fuzz(operation, headers, failures)
    assert not failures, "server errors:\n" + "\n".join(failures[:20])


def _fuzz(operation: Any, headers: dict[str, str], failures: list[str]) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def fuzz(case: Any) -> None:
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append(
                f"{operation.method.upper()} {operation.path} -> {response.status_code}: "
                f"path={case.path_parameters} query={case.query} body={str(case.body)[:200]}"
            )

    fuzz()
