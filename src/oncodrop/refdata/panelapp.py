"""Genomics England PanelApp panels as bundle germline panels (for ``oncodrop refdata build``).

``fetch_panel`` reads one panel from PanelApp's public JSON API (``/api/v1/panels/{id}/``)
and ``parse_panel`` turns the payload into ``PanelGene`` rows: green genes only by default
(confidence level 3), the mode of inheritance mapped by ``INHERITANCE_RULES`` and the disease
mechanism taken from a panel we already curate (PanelApp does not state LoF/GoF as a field),
else ``unknown`` (which keeps PVS1 off for that gene). ``write_panelapp_panel`` writes the
bundle table ``knowledge/panels/{name}.tsv``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from oncodrop.errors import BundleError, TransientError
from oncodrop.refdata.bundle import PanelGene
from oncodrop.refdata.knowledge import write_panel
from oncodrop.settings import PANELAPP_URL  # the default of refdata.panelapp_url

GREEN = 3
# (prefix of PanelApp's mode_of_inheritance, our code), first match wins.
INHERITANCE_RULES: tuple[tuple[str, str], ...] = (
    ("BOTH monoallelic and biallelic", "AD/AR"),
    ("MONOALLELIC", "AD"),
    ("BIALLELIC", "AR"),
    ("X-LINKED", "XL"),
    ("MITOCHONDRIAL", "MT"),
)
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PanelAppPanel:
    panel_id: int
    name: str
    version: str
    genes: tuple[PanelGene, ...]

    @property
    def source(self) -> str:
        return f"PanelApp panel {self.panel_id} '{self.name}' v{self.version}"


def inheritance(mode: str | None) -> str:
    text = (mode or "").strip()
    return next((code for prefix, code in INHERITANCE_RULES if text.upper().startswith(prefix.upper())), UNKNOWN)


def parse_panel(
    payload: Mapping[str, Any], mechanisms: Mapping[str, str], min_confidence: int = GREEN
) -> PanelAppPanel:
    """Genes of a ``/panels/{id}/`` payload at or above ``min_confidence`` (pure)."""
    try:
        panel_id, name, version = int(payload["id"]), str(payload["name"]), str(payload["version"])
        entries: Sequence[Mapping[str, Any]] = payload["genes"]
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError(f"PanelApp answer lacks {exc} (id, name, version, genes); is the URL the "
                          "v1 API (…/api/v1)?") from None
    genes: dict[str, PanelGene] = {}
    for entry in entries:
        data = entry.get("gene_data") or {}
        symbol = str(data.get("gene_symbol") or data.get("hgnc_symbol") or entry.get("entity_name") or "")
        try:
            level = int(entry.get("confidence_level") or 0)
        except ValueError:
            level = 0
        if not symbol or level < min_confidence or entry.get("entity_type", "gene") != "gene":
            continue
        genes.setdefault(symbol, PanelGene(symbol, mechanisms.get(symbol, UNKNOWN),
                                           inheritance(entry.get("mode_of_inheritance"))))
    return PanelAppPanel(panel_id, name, version, tuple(sorted(genes.values(), key=lambda g: g.symbol)))


def fetch_panel(
    panel_id: int,
    mechanisms: Mapping[str, str],
    *,
    base_url: str = PANELAPP_URL,
    min_confidence: int = GREEN,
    timeout_s: float = 30.0,
) -> PanelAppPanel:
    """One PanelApp panel over HTTPS; ``TransientError`` for network/5xx, ``BundleError`` else."""
    url = f"{base_url.rstrip('/')}/panels/{panel_id}/"
    try:
        response = httpx.get(url, timeout=timeout_s, follow_redirects=True)
    except httpx.TransportError as exc:
        raise TransientError(f"PanelApp at {url} did not answer ({type(exc).__name__})") from None
    if response.status_code >= 500:
        raise TransientError(f"PanelApp answered HTTP {response.status_code} for {url}")
    if response.status_code != 200:
        raise BundleError(f"PanelApp has no panel {panel_id} (HTTP {response.status_code} from {url}); "
                          "check the panel id on panelapp.genomicsengland.co.uk")
    try:
        payload = response.json()
    except ValueError:
        raise BundleError(f"PanelApp answer from {url} is not JSON") from None
    return parse_panel(payload, mechanisms, min_confidence)


def write_panelapp_panel(knowledge: Path, name: str, panel: PanelAppPanel) -> Path:
    """``knowledge/panels/{name}.tsv`` in the bundle being built."""
    path = knowledge / "panels" / f"{name}.tsv"
    write_panel(path, panel.genes, panel.source)
    return path
