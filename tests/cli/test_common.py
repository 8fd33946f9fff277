"""``cli.common.click_errors``: the CLI's one translation of our errors into click's (message on
stderr, exit status 1, no traceback), on a real click command."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from oncodrop.cli.common import click_errors
from oncodrop.errors import ConfigError, InputRejected, OncodropError, ReasonCode


def _command(exc: Exception, *types: type[OncodropError], **kwargs: object) -> click.Command:
    @click.command()
    def failing() -> None:
        with click_errors(*types, **kwargs):  # type: ignore[arg-type]
            raise exc

    return failing


def test_an_oncodrop_error_is_clicks_error_with_its_message_and_status_1() -> None:
    result = CliRunner().invoke(_command(ConfigError("db is not set: pass --db")), [])
    assert result.exit_code == 1
    assert result.output == "Error: db is not set: pass --db\n"
    assert isinstance(result.exception, SystemExit)  # no traceback: click's own exit


def test_only_the_named_types_are_translated() -> None:
    result = CliRunner().invoke(_command(ConfigError("bad"), InputRejected), [])
    assert isinstance(result.exception, ConfigError)  # not ours to translate here: it propagates
    rejected = InputRejected(ReasonCode.BAD_VCF, "not a VCF")
    assert CliRunner().invoke(_command(rejected, InputRejected), []).output == "Error: not a VCF\n"


def test_a_message_function_words_the_error() -> None:
    command = _command(ConfigError("bad"), message=lambda exc: f"settings: {exc.message}")
    assert CliRunner().invoke(command, []).output == "Error: settings: bad\n"


@pytest.mark.parametrize("exc", [ValueError("a bug"), KeyboardInterrupt()])
def test_what_is_not_ours_is_left_alone(exc: BaseException) -> None:
    with pytest.raises(type(exc)), click_errors():
        raise exc
