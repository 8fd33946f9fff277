"""The sample key convention: ``[prefix/]{sample_batch}-{id6}-{kind}.tar.gz``.

Every object key the system sees goes through ``classify_key`` once, so the rules of what
triggers work live here and nowhere else:

- our own outputs (``…-output.tar.gz``) and keys that are not tarballs are *ignored* (they
  never trigger work and are never reported as errors);
- a tarball-looking key (``.tar.gz``, ``.tgz``, ``.tar`` in any case) that breaks the
  convention is *rejected* with a message that shows the expected pattern and what is wrong;
- everything else is a ``SampleKey``.

The name is parsed from the right, so the batch may itself contain dashes. ``germline`` is
an alias of ``normal``; the output key keeps the user's spelling of the kind, so the output
of ``x-abc123-germline.tar.gz`` is ``x-abc123-germline-output.tar.gz``, right beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oncodrop.domain.kind import SampleKind
from oncodrop.errors import InputRejected, ReasonCode, Rejection

PATTERN = "{sample_batch}-{id6}-{kind}.tar.gz"
SUFFIX = ".tar.gz"
OUTPUT_SUFFIX = "-output.tar.gz"
REINTERPRETATION_MARK = "-reinterpretation-"  # {sample_batch}-{id6}-{kind}-reinterpretation-{version}.tar.gz
# the user's spelling of the kind -> the kind the pipeline runs
KINDS: dict[str, SampleKind] = {"somatic": "somatic", "normal": "normal", "germline": "normal"}
# keys ending like this look like an attempt at an input tarball: reject rather than ignore
TARBALL_LIKE = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz")

_BATCH_OK = re.compile(r"[A-Za-z0-9_.\-]+")
_BATCH_BAD_CHAR = re.compile(r"[^A-Za-z0-9_.\-]")
_ID6 = re.compile(r"[0-9A-Fa-f]{6}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_REINTERPRETATION = re.compile(r"-reinterpretation-[a-z0-9._]+\.tar\.gz$")
_VERSION_BAD = re.compile(r"[^A-Za-z0-9._]")


@dataclass(frozen=True, slots=True)
class SampleKey:
    """A valid input key, split into its parts. ``kind`` is normalised (germline -> normal)."""

    prefix: str  # "" or a folder path ending in "/" ("projectA/run1/")
    sample_batch: str
    id6: str  # as spelled in the key (upper- or lowercase hex)
    kind: SampleKind
    key: str  # the full object key as received
    kind_spelling: str = ""  # "germline" when the user wrote it; defaults to ``kind``

    @property
    def sample_id(self) -> str:
        return f"{self.sample_batch}-{self.id6}"

    @property
    def output_key(self) -> str:
        """Where the report tarball goes: beside the input, same prefix and kind spelling."""
        return f"{self.prefix}{self.sample_id}-{self.kind_spelling or self.kind}{OUTPUT_SUFFIX}"


@dataclass(frozen=True, slots=True)
class Ignored:
    """A key that is none of our business (not a tarball, or one of our own outputs)."""

    key: str
    reason: str


def classify_key(key: str) -> SampleKey | Ignored | Rejection:
    """Decide what an object key means for the pipeline; never raises."""
    prefix, _, name = key.rpartition("/")
    prefix = f"{prefix}/" if _ else ""
    lower = name.lower()
    if lower.endswith(OUTPUT_SUFFIX) or _REINTERPRETATION.search(lower):
        return Ignored(key, "an oncodrop output")
    if not lower.endswith(TARBALL_LIKE):
        return Ignored(key, "not a .tar.gz tarball")
    problems = _key_problems(key, prefix, name)
    if problems:
        return _rejection(key, name, problems)
    batch, id6, kind = name[: -len(SUFFIX)].rsplit("-", 2)
    return SampleKey(prefix, batch, id6, KINDS[kind], key, kind_spelling=kind)


def reinterpretation_key(output_key: str, bundle_version: str) -> str:
    """Where the re-interpretation of an output against ``bundle_version`` goes: beside it,
    ``…-somatic-output.tar.gz`` -> ``…-somatic-reinterpretation-{version}.tar.gz`` (the
    version with anything but letters, digits, '.' and '_' replaced by '_')."""
    stem = output_key.removesuffix(OUTPUT_SUFFIX).removesuffix(SUFFIX)
    return f"{stem}{REINTERPRETATION_MARK}{_VERSION_BAD.sub('_', bundle_version)}{SUFFIX}"


def parse_key(key: str) -> SampleKey:
    """Like ``classify_key`` for callers that need a sample (CLI submit): anything else raises."""
    result = classify_key(key)
    if isinstance(result, SampleKey):
        return result
    if isinstance(result, Ignored):
        raise InputRejected(
            ReasonCode.BAD_KEY, f"{key!r} is {result.reason}; expected {PATTERN}", file=key, field="key"
        )
    raise InputRejected(result.reason_code, result.message, file=key, field="key")


def name_problems(name: str) -> list[str]:
    """What is wrong with ``name`` as an input tarball's name (``[]`` when nothing is), for a
    tool that chooses the name (``oncodrop pack --out``) rather than receives an upload."""
    result = classify_key(name)
    if isinstance(result, SampleKey):
        return []
    if isinstance(result, Ignored):
        return [f"{name!r} is {result.reason}"]
    prefix, _, base = name.rpartition("/")
    return _key_problems(name, f"{prefix}/" if _ else "", base)


def _key_problems(key: str, prefix: str, name: str) -> list[str]:
    """Everything wrong with a tarball-like key, so the user can fix it in one go."""
    if _CONTROL.search(key):
        return ["the key contains control characters"]
    if ".." in prefix.split("/"):
        return ["the folder part of the key contains '..'"]
    if not name.endswith(SUFFIX):
        ext = next(s for s in TARBALL_LIKE if name.lower().endswith(s))
        return [f"the file must end in {SUFFIX!r} (lowercase), not {name[-len(ext) :]!r}"]
    parts = name[: -len(SUFFIX)].rsplit("-", 2)
    if len(parts) < 3:
        return [f"{name!r} has {len(parts) - 1} dash-separated field(s) before .tar.gz, needs 3"]
    batch, id6, kind = parts
    problems: list[str] = []
    if not batch:
        problems.append("sample_batch is empty")
    elif not _BATCH_OK.fullmatch(batch):
        bad = "".join(sorted(set(_BATCH_BAD_CHAR.findall(batch))))
        problems.append(
            f"sample_batch {batch!r} contains {bad!r}; use only letters, digits, '_', '.', '-'"
        )
    if not _ID6.fullmatch(id6):
        problems.append(f"id6 {id6!r} must be exactly 6 hexadecimal digits (0-9, a-f)")
    if kind not in KINDS:
        problems.append(f"kind {kind!r} must be one of {', '.join(KINDS)} (lowercase)")
    return problems


def _rejection(key: str, name: str, problems: list[str]) -> Rejection:
    message = (
        f"Object {name!r} does not follow the naming convention {PATTERN} "
        f"(e.g. run42-3fa9c1-somatic.tar.gz): {'; '.join(problems)}. "
        "Rename the file and upload it again."
    )
    return Rejection(ReasonCode.BAD_KEY, message, file=key, field="key")
