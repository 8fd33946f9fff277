"""The exception tree: reason codes, pickling, and the one exception -> outcome mapping."""

from __future__ import annotations

import ast
import errno
import inspect
import pickle
import re
from pathlib import Path

import pytest

import oncodrop.errors as errors_module
from oncodrop.errors import (
    REASON_MEANINGS,
    BundleError,
    ConfigError,
    Disposition,
    InputRejected,
    OncodropError,
    ReasonCode,
    Rejection,
    StateConflict,
    TransientError,
    classify,
)

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "oncodrop"


# -- reason codes ------------------------------------------------------------------------------


def _reason_code_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """String literals in a reason-code position: first argument of ``InputRejected``/
    ``Rejection``, second of ``Failure``/``ledger.reject``, any ``reason_code=`` keyword and any
    ``reason_code`` parameter default."""
    found: list[tuple[int, str]] = []

    def strings(node: ast.AST) -> None:
        """Constants of the expression itself (``"a" if x else "b"`` too), not of calls or
        subscripts inside it (``note.get("reason_code")`` names a key, not a code)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
        elif not isinstance(node, (ast.Call, ast.Subscript)):
            for child in ast.iter_child_nodes(node):
                strings(child)

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            position = {"InputRejected": 0, "Rejection": 0, "Failure": 1, "reject": 1}.get(name)
            in_position = position is not None and len(node.args) > position
            if in_position and (name != "reject" or "ledger" in ast.unparse(node.func)):
                strings(node.args[position])
            for kw in node.keywords:
                if kw.arg == "reason_code":
                    strings(kw.value)
        if isinstance(node, ast.FunctionDef):
            a = node.args
            params = a.posonlyargs + a.args
            pairs = [*zip(params[len(params) - len(a.defaults) :], a.defaults), *zip(a.kwonlyargs, a.kw_defaults)]
            for arg, default in pairs:
                if arg.arg == "reason_code" and default is not None:
                    strings(default)
    return found


def test_no_bare_reason_code_strings_in_src() -> None:
    """Every reason code in src is spelled as a ``ReasonCode`` member, never a bare string."""
    bare = [
        f"{path.relative_to(ROOT)}:{line}: {value!r}"
        for path in sorted(SRC.rglob("*.py"))
        for line, value in _reason_code_literals(ast.parse(path.read_text()))
    ]
    assert bare == []


def test_the_ast_walk_would_catch_a_bare_code() -> None:
    sample = (
        'raise InputRejected("bad_vcf", "m")\n'
        'ledger.fail(1, "w", "m", reason_code="a" if x else "b")\n'
        'RecordResult(1, reason_code=note.get("reason_code"))\n'
    )
    assert sorted(v for _, v in _reason_code_literals(ast.parse(sample))) == ["a", "b", "bad_vcf"]


def test_codes_used_in_tests_are_members() -> None:
    """Tests spell codes as strings (as the ledger stores them); each must be a real code."""
    members = {c.value for c in ReasonCode}
    used = {
        value
        for path in (ROOT / "tests").rglob("*.py")
        for _, value in _reason_code_literals(ast.parse(path.read_text()))
        if re.fullmatch(r"[a-z]+(_[a-z]+)+|[a-z]+", value)
    }
    used |= {
        m.group(1)
        for path in (ROOT / "tests").rglob("*.py")
        for m in re.finditer(r"reason_code\s*==\s*[\"']([a-z_]+)[\"']", path.read_text())
    }
    assert used - members == set()


def test_every_code_has_a_one_line_meaning_and_is_documented() -> None:
    assert set(REASON_MEANINGS) == set(ReasonCode)
    assert all(m and "\n" not in m for m in REASON_MEANINGS.values())
    docs = (ROOT / "docs" / "notifications.md").read_text()
    missing = [c.value for c in ReasonCode if f"| `{c.value}` |" not in docs]
    assert missing == []


def test_values_are_plain_strings_for_the_ledger_and_json() -> None:
    assert ReasonCode.BAD_VCF == "bad_vcf"
    assert f"[{ReasonCode.BAD_VCF}]" == "[bad_vcf]"
    assert InputRejected("bad_vcf", "m").reason_code is ReasonCode.BAD_VCF  # strings are coerced
    unknown = "not_a_code"
    with pytest.raises(ValueError):
        InputRejected(unknown, "m")  # type: ignore[arg-type]


# -- pickling ----------------------------------------------------------------------------------


def _all_subclasses(cls: type) -> set[type]:
    return {s for c in cls.__subclasses__() for s in (c, *_all_subclasses(c))}


EXAMPLES: list[OncodropError] = [
    OncodropError("root"),
    InputRejected(ReasonCode.BAD_VCF, "line 12 has 7 columns", file="x.vcf.gz", line=12, field="FORMAT"),
    InputRejected(ReasonCode.BAD_KEY, "no location"),
    TransientError("S3 503", retry_after_s=2.5),
    TransientError("plain"),
    ConfigError("no reporter"),
    BundleError("no grch37"),
    StateConflict("lost race"),
]


def test_examples_cover_every_error_class() -> None:
    defined = {c for c in _all_subclasses(OncodropError) if c.__module__ == errors_module.__name__}
    assert defined | {OncodropError} <= {type(e) for e in EXAMPLES}


@pytest.mark.parametrize("exc", EXAMPLES, ids=lambda e: type(e).__name__)
def test_every_error_survives_pickle(exc: OncodropError) -> None:
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is type(exc)
    assert back.args == exc.args
    assert back.__dict__ == exc.__dict__
    assert str(back) == str(exc)


def test_input_rejected_round_trip_keeps_its_location() -> None:
    exc = InputRejected(ReasonCode.BAD_CONFIG, "tumor_site must be a string", file="c.toml", line=3, field="sample.tumor_site")
    back = pickle.loads(pickle.dumps(exc))
    assert back.rejection == Rejection(ReasonCode.BAD_CONFIG, "tumor_site must be a string", "c.toml", 3, "sample.tumor_site")
    assert back.reason_code is ReasonCode.BAD_CONFIG


def test_a_subclass_with_its_own_signature_pickles_too() -> None:
    class_source = inspect.getsource(OncodropError.__reduce__)
    assert "__dict__" in class_source  # state travels in __dict__, whatever __init__ takes
    back = pickle.loads(pickle.dumps(TransientError("x", retry_after_s=1.0)))
    assert back.retry_after_s == 1.0


# -- classification -----------------------------------------------------------------------------


def test_rejected_input_maps_to_reject_with_its_reason_code_and_location() -> None:
    exc = InputRejected(ReasonCode.BAD_CONFIG, "tumor_site must be a string", file="config.toml", line=3, field="tumor_site")
    failure = classify(exc)
    assert failure.disposition is Disposition.REJECT
    assert failure.reason_code is ReasonCode.BAD_CONFIG
    assert failure.message == "tumor_site must be a string (file config.toml, line 3, field tumor_site)"


@pytest.mark.parametrize(
    ("exc", "disposition", "code"),
    [
        (TransientError("S3 503"), Disposition.RETRY, "transient"),
        (ConfigError("no slack url"), Disposition.DEAD, "config_error"),
        (BundleError("no grch37"), Disposition.DEAD, "bundle_error"),
        (StateConflict("lost race"), Disposition.RETRY, "error"),
        (ZeroDivisionError("division by zero"), Disposition.RETRY, "error"),
        (KeyError("TP53"), Disposition.RETRY, "error"),
        (OSError(errno.ENOSPC, "No space left on device", "/work/job-1/x"), Disposition.RETRY, "transient"),
        (OSError(errno.EIO, "Input/output error"), Disposition.RETRY, "transient"),
        (BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable"), Disposition.RETRY, "transient"),
        (ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"), Disposition.RETRY, "transient"),
        (TimeoutError(errno.ETIMEDOUT, "Connection timed out"), Disposition.RETRY, "transient"),
        (TimeoutError("read timed out"), Disposition.RETRY, "transient"),
        (PermissionError(errno.EACCES, "Permission denied", "/work/job-1"), Disposition.DEAD, "io_error"),
        (FileNotFoundError(errno.ENOENT, "No such file or directory", "bcftools"), Disposition.DEAD, "io_error"),
        (IsADirectoryError(errno.EISDIR, "Is a directory", "/work/x"), Disposition.DEAD, "io_error"),
        (OSError("no errno at all"), Disposition.RETRY, "error"),
    ],
)
def test_each_exception_maps_to_one_disposition(exc: BaseException, disposition: Disposition, code: str) -> None:
    failure = classify(exc)
    assert (failure.disposition, failure.reason_code) == (disposition, code)
    assert failure.message.startswith(type(exc).__name__)
    assert "\n" not in failure.message


def test_real_os_errors_on_the_bundle_are_bundle_errors(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "genome" / "grch38" / "genome.fa").mkdir(parents=True)  # a directory, not a FASTA
    with pytest.raises(OSError) as is_dir:
        (bundle / "genome" / "grch38" / "genome.fa").read_bytes()
    with pytest.raises(OSError) as missing:
        (bundle / "genome" / "grch37" / "genome.fa").open("rb")
    for exc in (is_dir.value, missing.value):
        failure = classify(exc, bundle=bundle)
        assert (failure.disposition, failure.reason_code) == (Disposition.DEAD, ReasonCode.BUNDLE_ERROR)
        assert "genome.fa" in failure.message and "bundle" in failure.message
    elsewhere = classify(missing.value, bundle=tmp_path / "other-bundle")
    assert elsewhere.reason_code is ReasonCode.IO_ERROR


def test_an_unexpected_exception_gives_one_line_without_traceback() -> None:
    try:
        {}["TP53"]
    except KeyError as exc:
        failure = classify(exc)
    assert failure.message == "KeyError: 'TP53' (unexpected; traceback in the run log and service log)"
    assert "Traceback" not in failure.message and "File " not in failure.message
    assert failure.traceback is not None and 'KeyError: \'TP53\'' in failure.traceback
    assert "test_errors.py" in failure.traceback  # the frames are there, for the logs


def test_deliberate_errors_carry_no_traceback() -> None:
    assert classify(TransientError("S3 503")).traceback is None
    assert classify(InputRejected(ReasonCode.BAD_VCF, "m")).traceback is None
    assert classify(StateConflict("lost race")).traceback is not None  # unexpected in a job: a bug


def test_long_messages_are_clipped_to_one_line() -> None:
    failure = classify(RuntimeError("x" * 10_000 + "\nsecond line"))
    assert len(failure.message) < 300 and "\n" not in failure.message
    assert len(classify(TransientError("y" * 10_000)).message) == errors_module.MAX_MESSAGE
