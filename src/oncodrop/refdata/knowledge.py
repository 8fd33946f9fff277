"""Gene roles, hotspots, germline panels and disease sites: upstream tables -> bundle tables.

Upstream formats read here:

* gene roles: OncoKB's public cancer gene list (``cancerGeneList.tsv``: ``Hugo Symbol``,
  ``Is Oncogene``, ``Is Tumor Suppressor Gene`` with Yes/No values);
* hotspots: cancerhotspots.org v2 single-residue hotspots, the published ``hotspots_v2.xls``
  workbook's SNV sheet or a TSV export of it (``refdata.hotspots``; ``Hugo_Symbol``,
  ``Amino_Acid_Position``, ``Reference_Amino_Acid`` = ``V:897`` (residue:total) and
  ``Variant_Amino_Acid`` = ``E:833`` or ``E:833|K:32``). Indel rows (``746-750``) are skipped.
Bundle tables written here are listed in docs/bundle.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from oncodrop.refdata.bundle import Hotspot, PanelGene
from oncodrop.refdata.hotspots import hotspot_rows
from oncodrop.refdata.sites import primary_site_for
from oncodrop.refdata.tsv import read_rows, write_table

# (is oncogene, is tumour suppressor) -> our role; neither -> not written.
ROLE_TABLE: dict[tuple[bool, bool], str] = {
    (True, False): "oncogene",
    (False, True): "tumour_suppressor",
    (True, True): "both",
}


@dataclass(frozen=True, slots=True)
class GeneRole:
    symbol: str
    role: str
    source: str


def roles_from_oncokb(path: Path, source: str = "OncoKB") -> tuple[GeneRole, ...]:
    """Genes OncoKB calls oncogene and/or tumour suppressor."""
    roles = []
    columns = ("Hugo Symbol", "Is Oncogene", "Is Tumor Suppressor Gene")
    for row in read_rows(path, columns):
        key = (_yes(row.get("Is Oncogene")), _yes(row.get("Is Tumor Suppressor Gene")))
        if key in ROLE_TABLE:
            roles.append(GeneRole(row.get("Hugo Symbol"), ROLE_TABLE[key], source))
    return tuple(roles)


def read_roles(path: Path) -> tuple[GeneRole, ...]:
    """Our own ``symbol role source`` table (the demo's curated list)."""
    return tuple(
        GeneRole(r.get("symbol"), r.get("role"), r.get("source"))
        for r in read_rows(path, ("symbol", "role", "source"))
    )


def write_roles(path: Path, roles: Iterable[GeneRole]) -> int:
    ordered = sorted(roles, key=lambda g: g.symbol)
    return write_table(
        path,
        ("symbol", "role", "source"),
        ((g.symbol, g.role, g.source) for g in ordered),
    )


def hotspots_from_cancerhotspots(path: Path) -> tuple[Hotspot, ...]:
    """Residue-level rows (``hgvsp`` None, count = all mutations at the residue) plus one row
    per observed amino-acid change (``p.V600E`` with its own count)."""
    columns = (
        "Hugo_Symbol",
        "Amino_Acid_Position",
        "Reference_Amino_Acid",
        "Variant_Amino_Acid",
    )
    residues: dict[tuple[str, int], int] = {}
    alleles: dict[tuple[str, int, str], int] = {}
    for row in hotspot_rows(path, columns):
        position = row.get("Amino_Acid_Position")
        if not position.isdigit():
            continue  # indel and splice hotspots span several residues
        gene, codon = row.get("Hugo_Symbol"), int(position)
        ref_aa, _, total = row.get("Reference_Amino_Acid").partition(":")
        changes = [
            c.partition(":") for c in row.get("Variant_Amino_Acid").split("|") if c
        ]
        observed = sum(int(n) for _, _, n in changes if n.isdigit())
        residues[(gene, codon)] = max(
            residues.get((gene, codon), 0), _int(total) or observed
        )
        for alt, _, n in changes:
            if (len(alt) == 1 and alt.isalpha()) or alt == "*":
                key = (gene, codon, f"p.{ref_aa}{codon}{alt}")
                alleles[key] = alleles.get(key, 0) + _int(n)
    rows = [Hotspot(g, c, None, n) for (g, c), n in residues.items()]
    rows += [Hotspot(g, c, p, n) for (g, c, p), n in alleles.items()]
    return tuple(sorted(rows, key=lambda h: (h.gene, h.codon, h.hgvsp or "")))


def write_hotspots(path: Path, hotspots: Iterable[Hotspot], source: str) -> int:
    rows = ((h.gene, h.codon, h.hgvsp, h.count, source) for h in hotspots)
    return write_table(path, ("gene", "codon", "hgvsp", "count", "source"), rows)


def read_hotspots(path: Path) -> tuple[Hotspot, ...]:
    """Our ``gene codon hgvsp count`` table (the demo's curated list)."""
    return tuple(
        Hotspot(
            r.get("gene"),
            int(r.get("codon")),
            r.get("hgvsp") or None,
            int(r.get("count") or 0),
        )
        for r in read_rows(path, ("gene", "codon", "hgvsp", "count"))
    )


def write_panel(path: Path, genes: Iterable[PanelGene], source: str) -> int:
    rows = ((g.symbol, g.mechanism, g.inheritance, source) for g in genes)
    return write_table(path, ("symbol", "mechanism", "inheritance", "source"), rows)


def read_panel(path: Path) -> tuple[PanelGene, ...]:
    return tuple(
        PanelGene(r.get("symbol"), r.get("mechanism"), r.get("inheritance"))
        for r in read_rows(path, ("symbol", "mechanism", "inheritance"))
    )


def write_sites(path: Path, diseases: Iterable[tuple[str, str]]) -> int:
    """``disease doid primary_site`` for every disease the evidence names (site may be empty)."""
    unique = sorted({(d, doid) for d, doid in diseases if d})
    rows = ((d, doid, primary_site_for(d) or "") for d, doid in unique)
    return write_table(path, ("disease", "doid", "primary_site"), rows)


def _yes(text: str) -> bool:
    return text.strip().lower() in {"yes", "true", "1"}


def _int(text: str) -> int:
    return int(text) if text.strip().isdigit() else 0
