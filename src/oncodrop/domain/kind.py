"""The two kinds of sample: a tumour (``somatic``) and a normal (``normal``, also spelled
``germline`` in keys). Standard library only: the AWS Lambda handler imports it."""

from __future__ import annotations

from typing import Literal

SampleKind = Literal["somatic", "normal"]


def sample_kind(spelling: str) -> SampleKind:
    """The pipeline's kind for a stored spelling (``germline`` is an alias of ``normal``)."""
    return "normal" if spelling in ("normal", "germline") else "somatic"
