"""The few numbers a finished report is summarised by, wherever it is shown.

One model crosses every boundary (reporter → pipeline → ledger → notifications → status), so
there is no dict form to keep in step: the ledger stores ``model_dump(mode="json")`` and reads
it back with ``Headline.model_validate``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Headline(BaseModel):
    """What a notification and the status table say about a finished report."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    tier1: int = 0
    tier2: int = 0
    tmb: float | None = None  # mutations/Mb
    msi: str | None = None  # "MSI-H" | "MSS" | None
    top_signatures: tuple[str, ...] = ()
    pathogenic: int = 0  # germline Pathogenic (P) only (P + LP until issue 11: CHANGELOG)
    likely_pathogenic: int = 0  # germline Likely pathogenic (LP)
    vus: int = 0
    summary_line: str = ""
