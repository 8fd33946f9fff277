"""``oncodrop spot-prices``: the per-zone summary, and the command against moto's EC2."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import moto_fixture
import pytest
from click.testing import CliRunner

from oncodrop.cli import main
from oncodrop.cli.cloud import ZonePrice, summarise_spot_prices

moto_endpoint = moto_fixture.moto_endpoint  # session fixture (also fine once conftest imports it)


def entry(zone: str, price: str, hour: int) -> dict[str, object]:
    return {
        "AvailabilityZone": zone, "InstanceType": "m6i.xlarge", "ProductDescription": "Linux/UNIX",
        "SpotPrice": price, "Timestamp": datetime(2026, 11, 25, hour, tzinfo=UTC),
    }  # fmt: skip


def test_each_zone_gets_its_latest_lowest_and_highest_price_cheapest_first() -> None:
    history = [
        entry("eu-west-1a", "0.0710", 9), entry("eu-west-1a", "0.0650", 11), entry("eu-west-1a", "0.0800", 10),
        entry("eu-west-1b", "0.0600", 11), entry("eu-west-1b", "0.0590", 8),
    ]  # fmt: skip
    assert summarise_spot_prices(history) == [
        ZonePrice("eu-west-1b", Decimal("0.0600"), Decimal("0.0590"), Decimal("0.0600"), 2),
        ZonePrice("eu-west-1a", Decimal("0.0650"), Decimal("0.0650"), Decimal("0.0800"), 3),
    ]


def test_spot_prices_prints_one_row_per_zone_from_ec2(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONCODROP_EC2_ENDPOINT_URL", moto_endpoint)
    result = CliRunner().invoke(main, ["spot-prices", "--instance-type", "m6i.xlarge", "--region", "eu-west-1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["zone", "latest", "low", "high", "samples"]
    assert sorted(line.split()[0] for line in lines[1:]) == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]


def test_an_unreachable_ec2_endpoint_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, moto_endpoint: str) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    args = ["spot-prices", "--instance-type", "m6i.xlarge", "--endpoint-url", "http://127.0.0.1:9"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "describe_spot_price_history for m6i.xlarge failed: cannot reach the endpoint" in result.output
