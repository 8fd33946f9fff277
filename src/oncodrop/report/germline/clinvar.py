"""ClinVar from the reference bundle: exact-allele look-up and the pathogenic residues.

The bundle holds ClinVar's own VCF (bgzipped + tabix). ``ClinvarDb.lookup`` fetches the one
position through the index and matches REF and ALT exactly (chromosome spelling aside), and
returns significance, review stars and conditions. ``SIGNIFICANCE_CLASSES`` and
``REVIEW_STARS`` are ClinVar's vocabularies as tables. ``ResidueIndex`` holds the protein
changes of ClinVar pathogenic/likely pathogenic missense variants, for PS1 (same amino-acid
change) and PM5 (another change at the same codon).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import pysam

from oncodrop.domain.genome import normalise_chrom
from oncodrop.domain.variant import Variant
from oncodrop.errors import BundleError
from oncodrop.report.germline.model import ClinvarRecord, GermlineClass

# CLNSIG (first term, lower case) -> class; anything else (conflicting, risk factor, drug
# response, not provided, other) has no class and cannot decide a variant's class.
SIGNIFICANCE_CLASSES: dict[str, GermlineClass] = {
    "pathogenic": GermlineClass.PATHOGENIC,
    "pathogenic/likely_pathogenic": GermlineClass.PATHOGENIC,
    "likely_pathogenic": GermlineClass.LIKELY_PATHOGENIC,
    "uncertain_significance": GermlineClass.VUS,
    "likely_benign": GermlineClass.LIKELY_BENIGN,
    "benign/likely_benign": GermlineClass.BENIGN,
    "benign": GermlineClass.BENIGN,
}

# CLNREVSTAT -> review stars, as ClinVar's "review status" documentation assigns them.
REVIEW_STARS: dict[str, int] = {
    "practice_guideline": 4,
    "reviewed_by_expert_panel": 3,
    "criteria_provided,_multiple_submitters,_no_conflicts": 2,
    "criteria_provided,_single_submitter": 1,
    "criteria_provided,_conflicting_classifications": 1,
    "criteria_provided,_conflicting_interpretations": 1,
}


CLINVAR_INFO: tuple[str, ...] = ("CLNSIG", "CLNREVSTAT", "CLNDN", "GENEINFO")


def _text(value: object) -> str:
    """pysam splits ``Number=.`` strings on commas; ClinVar's values contain commas."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def significance_class(clnsig: str) -> GermlineClass | None:
    """``Pathogenic|risk_factor`` -> Pathogenic; ``Conflicting_…`` -> None."""
    primary = clnsig.split("|")[0].split(",")[0].strip().lower()
    return SIGNIFICANCE_CLASSES.get(primary)


def review_stars(clnrevstat: str) -> int:
    return REVIEW_STARS.get(clnrevstat.strip().lower(), 0)


def record_from_info(variation_id: str | None, info: dict[str, str]) -> ClinvarRecord:
    """A ``ClinvarRecord`` from the INFO strings of one ClinVar VCF record (pure)."""
    clnsig = info.get("CLNSIG", "")
    revstat = info.get("CLNREVSTAT", "")
    conditions = tuple(
        c.replace("_", " ")
        for c in info.get("CLNDN", "").split("|")
        if c and c not in ("not_provided", "not_specified")
    )
    gene = info.get("GENEINFO", "").split("|")[0].split(":")[0] or None
    return ClinvarRecord(
        variation_id=variation_id if variation_id and variation_id != "." else None,
        significance=clnsig.replace("_", " ") or "not provided",
        germline_class=significance_class(clnsig),
        review_status=revstat.replace(",_", ", ").replace("_", " ").strip() or "no assertion",
        stars=review_stars(revstat),
        conditions=conditions,
        gene=gene,
    )


class ClinvarDb:
    """The bundle's ClinVar VCF opened for exact-allele look-ups through its index."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._vcf = pysam.VariantFile(str(path))
        except (OSError, ValueError) as exc:
            raise BundleError(f"ClinVar VCF {path.name} cannot be opened ({type(exc).__name__}); "
                              "rebuild the bundle") from None
        if self._vcf.index is None:
            self._vcf.close()
            raise BundleError(f"ClinVar VCF {path.name} has no tabix index; rebuild the bundle")
        self._contigs = {normalise_chrom(str(c)): str(c) for c in self._vcf.index}
        self._keys = tuple(k for k in CLINVAR_INFO if k in self._vcf.header.info)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._vcf.close()

    def lookup(self, variant: Variant) -> ClinvarRecord | None:
        """The ClinVar record of exactly this allele, or None."""
        name = self._contigs.get(variant.chrom)
        if name is None:
            return None
        for rec in self._vcf.fetch(name, variant.pos - 1, variant.pos):
            if rec.pos != variant.pos or (rec.ref or "").upper() != variant.ref:
                continue
            if variant.alt in (a.upper() for a in rec.alts or ()):
                info = {k: _text(rec.info.get(k)) for k in self._keys}
                return record_from_info(rec.id, info)
        return None


@dataclass(frozen=True, slots=True)
class PathogenicResidue:
    """A ClinVar pathogenic/likely pathogenic missense change (gene, codon, one-letter hgvsp)."""

    gene: str
    codon: int
    hgvsp: str
    key: str  # genomic key of the ClinVar allele
    significance: str


@dataclass(frozen=True, slots=True)
class ResidueIndex:
    """ClinVar P/LP missense residues by (gene, codon); None when no protein data exists."""

    by_codon: dict[tuple[str, int], tuple[PathogenicResidue, ...]]
    available: bool = True

    @classmethod
    def build(cls, residues: Iterable[PathogenicResidue]) -> ResidueIndex:
        by_codon: dict[tuple[str, int], list[PathogenicResidue]] = {}
        for r in residues:
            by_codon.setdefault((r.gene, r.codon), []).append(r)
        return cls({k: tuple(v) for k, v in by_codon.items()})

    @classmethod
    def unavailable(cls) -> ResidueIndex:
        return cls({}, available=False)

    def at(self, gene: str, codon: int) -> tuple[PathogenicResidue, ...]:
        return self.by_codon.get((gene, codon), ())


def pathogenic_residues(
    annotated: Iterable[Variant], db: ClinvarDb
) -> Iterator[PathogenicResidue]:
    """Missense ClinVar alleles (already annotated) whose ClinVar class is P or LP."""
    for v in annotated:
        csq = v.consequence
        if csq is None or csq.gene is None or csq.protein_position is None or not csq.hgvsp:
            continue
        if csq.primary_term != "missense_variant":
            continue
        record = db.lookup(v)
        if record is not None and record.germline_class is not None and record.germline_class.is_pathogenic:
            yield PathogenicResidue(csq.gene, csq.protein_position, csq.hgvsp, v.key, record.significance)
