"""The API against its own OpenAPI schema (schemathesis): generated requests, valid and not, with
an admin token and without credentials; every answer must be a declared status with a body that
matches the schema, and never a 500. Examples are few per operation so it stays in make test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from conftest import Console, make_settings
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from oncodrop.domain.access import Role
from oncodrop.ledger import Ledger, access
from oncodrop.settings import Settings
from oncodrop.web.app import create_app

EXAMPLES = 15
# Well-formed requests the API refuses for reasons a schema cannot state: an upload's tarball
# content and name (422 with the rejection), a re-run of a sample that is not finished (409).
_EXCUSED = {path: [checks.positive_data_acceptance] for path in ("/api/v1/uploads", "/api/v1/uploads/presign",
                                                                   "/api/v1/samples/{sample_id}/rerun")}  # fmt: skip


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, demo_bundle: Path) -> Iterator[Console]:
    """One console for the module (with the demo bundle, so it is ready), a sample in each
    finished state."""
    tmp = tmp_path_factory.mktemp("schemathesis")
    base = make_settings(tmp)
    app_settings = Settings.load(db=base.db, store=base.store, bundle=demo_bundle,
                                 web__webhook_secret="hook-secret-for-tests")  # fmt: skip
    with Ledger.open(app_settings.db) as ledger:
        tokens = {role: access.create_token(ledger.engine, ledger.now(), role.value, role, None)[0] for role in Role}
        with TestClient(create_app(app_settings, ledger), base_url="https://testserver") as client:
            console = Console(client, ledger, tmp / "bucket", tokens, app_settings)
            console.succeed("brca-a1b2c3-somatic.tar.gz")
            console.dead("coad-d4e5f6-somatic.tar.gz")
            console.add("coad-aaaaaa-normal.tar.gz")
            yield console


def _check_every_operation(console: Console, headers: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", console.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12  # the schema lists the API, not an empty document
    if headers:  # the live stream never ends for an authorised caller (tested in test_server.py)
        operations = [op for op in operations if op.path != "/api/v1/events"]

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, excluded_checks=_EXCUSED.get(case.operation.path, []))

        check()


def test_the_api_keeps_its_schema_with_an_admin_token(seeded: Console) -> None:
    _check_every_operation(seeded, seeded.as_role(Role.ADMIN))


def test_the_api_keeps_its_schema_without_credentials(seeded: Console) -> None:
    _check_every_operation(seeded, {})
