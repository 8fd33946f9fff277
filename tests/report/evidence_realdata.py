"""Small readers that turn the shared real test data into domain types for the evidence,
tier and oncogenicity tests. Deliberately minimal: the production readers live elsewhere;
these only pick the fields the tests need."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pysam

from oncodrop.domain.evidence import EvidenceItem, EvidenceType
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.report.matching import normalise_hgvsp

_PROTEIN_CHANGE = re.compile(r"[A-Z]\d+[A-Z*]")  # V600E, R248*: CIViC names that are HGVSp


def civic_items(path: Path) -> list[EvidenceItem]:
    """CIViC nightly rows as EvidenceItems (coordinates and simple protein changes only)."""
    items = []
    with gzip.open(path, "rt") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        for line in handle:
            row = dict(zip(header, line.rstrip("\n").split("\t"), strict=False))
            items.append(EvidenceItem(
                evidence_id=f"EID{row['evidence_id']}", gene=row["gene"],
                profile=f"{row['gene']} {row['variant']}", disease=row["disease"],
                primary_site=None, therapies=tuple(filter(None, row["drugs"].split(","))),
                evidence_type=EvidenceType(row["evidence_type"]),
                direction=row["evidence_direction"], significance=row["clinical_significance"],
                level=row["evidence_level"], rating=None, citation=f"PMID:{row['citation_id']}",
                build="grch37" if row["reference_build"] == "GRCh37" else None,
                chrom=row["chromosome"] or None,
                start=int(row["start"]) if row["start"] else None,
                ref=row["reference_bases"], alt=row["variant_bases"],
                hgvsp=f"p.{row['variant']}" if _PROTEIN_CHANGE.fullmatch(row["variant"]) else None,
                variant_origin=row["variant_origin"],
            ))  # fmt: skip
    return items


def vcf_variants(path: Path) -> list[Variant]:
    """Unannotated calls: coordinates only, ``chr`` prefix dropped."""
    with pysam.VariantFile(str(path)) as vcf:
        return [
            Variant(chrom=rec.chrom.removeprefix("chr"), pos=rec.pos, ref=rec.ref, alt=alt)
            for rec in vcf
            for alt in rec.alts or ()
        ]


def vep_picked_variants(path: Path) -> list[Variant]:
    """VEP-annotated calls with the ``PICK=1`` consequence and gnomAD exome AF (None if absent)."""
    variants = []
    with pysam.VariantFile(str(path)) as vcf:
        fields = vcf.header.info["CSQ"].description.split("Format: ")[1].split("|")
        for rec in vcf:
            entries = [dict(zip(fields, e.split("|"), strict=True)) for e in rec.info["CSQ"]]
            csq = next(e for e in entries if e["PICK"] == "1")
            af = csq["gnomAD_AF"]
            position = csq["Protein_position"].split("-")[0]
            variants.append(Variant(
                chrom=rec.chrom.removeprefix("chr"), pos=rec.pos, ref=rec.ref, alt=rec.alts[0],
                population_af=float(af) if af not in {"", "."} else None,
                consequence=Consequence(
                    gene=csq["SYMBOL"] or None, terms=tuple(csq["Consequence"].split("&")),
                    impact=csq["IMPACT"],
                    hgvsp=f"p.{normalise_hgvsp(csq['HGVSp'])}" if csq["HGVSp"] else None,
                    protein_position=int(position) if position.isdigit() else None,
                    exon=int(csq["EXON"].split("/")[0]) if csq["EXON"] else None,
                ),
            ))  # fmt: skip
    return variants
