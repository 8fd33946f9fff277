"""Compile CIViC's release TSVs into our evidence table.

Two upstream layouts are read:

* 2024+ molecular-profile layout: ``ClinicalEvidenceSummaries`` names a molecular profile;
  ``MolecularProfileSummaries`` lists its variant ids; ``VariantSummaries`` gives each
  variant's gene, name and GRCh37 coordinates.
* legacy (2021 nightly) layout: gene, variant and coordinates inline in each evidence row.

Rules (each skip is counted in ``CompileReport.skipped``):
* only ``accepted`` evidence; rows flagged in CIViC (evidence or molecular profile) are dropped
  because a curator has questioned them; a flagged *variant* keeps its name-level targets
  (``p.R132H``, codon) but not its coordinates, which are what such flags usually dispute;
* a profile combining variants with ``AND`` (``BRAF V600E AND BRAF V600M``) needs all of them in
  one tumour; an ``EvidenceItem`` matches one variant, so these are skipped rather than
  over-claimed. ``OR`` profiles become one item per alternative; ``NOT`` profiles are skipped;
* a profile variant missing from VariantSummaries falls back to parsing the profile name;
* variant names that are not DNA changes (expression, fusions, wild type) are skipped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from oncodrop.domain.evidence import EvidenceItem, EvidenceType
from oncodrop.domain.genome import Build
from oncodrop.errors import BundleError
from oncodrop.refdata.civic_variants import MatchTarget, Unmatchable, parse_variant_name
from oncodrop.refdata.sites import primary_site_for
from oncodrop.refdata.tsv import Row, open_text, read_rows

_BUILDS: dict[str, Build] = {"GRCh37": "grch37", "GRCh38": "grch38"}
_COMBINATION = re.compile(r"\s+(AND|OR)\s+")
_NOT = re.compile(r"(?:^|\s|\()NOT\s")
_CIVIC_2024_EVIDENCE = (
    "molecular_profile",
    "molecular_profile_id",
    "evidence_id",
    "disease",
)
_CIVIC_2021_EVIDENCE = ("gene", "variant", "evidence_id", "disease", "chromosome")


@dataclass(frozen=True, slots=True)
class CivicVariant:
    """One CIViC variant with its coordinates as CIViC states them (GRCh37 in practice)."""

    variant_id: str
    gene: str
    name: str
    entrez_id: str = ""
    chrom: str | None = None
    start: int | None = None
    stop: int | None = None
    ref: str | None = None
    alt: str | None = None
    build: Build | None = None
    flagged: bool = False


@dataclass(frozen=True, slots=True)
class MolecularProfile:
    profile_id: str
    name: str
    variant_ids: tuple[str, ...]
    flagged: bool = False


@dataclass(frozen=True, slots=True)
class CompileReport:
    """What the compile kept and why it dropped the rest (for the build log and the tests)."""

    rows_read: int
    items_written: int
    skipped: tuple[tuple[str, int], ...] = field(default_factory=tuple)

    def skipped_for(self, reason: str) -> int:
        return dict(self.skipped).get(reason, 0)


@dataclass(frozen=True, slots=True)
class CivicRelease:
    """Compiled evidence plus the variants (their gene-level spans feed genes.tsv)."""

    evidence: tuple[EvidenceItem, ...]
    variants: tuple[CivicVariant, ...]
    diseases: tuple[
        tuple[str, str], ...
    ]  # (disease, doid) as seen in the evidence rows
    report: CompileReport


def read_variants(path: Path) -> dict[str, CivicVariant]:
    """VariantSummaries (either layout) by variant id."""
    required = ("variant_id", "gene", "variant", "chromosome", "start", "stop")
    return {
        v.variant_id: v for v in (_variant(row) for row in read_rows(path, required))
    }


def read_profiles(path: Path) -> dict[str, MolecularProfile]:
    """MolecularProfileSummaries by profile id; ``variant_ids`` is a comma+space list."""
    profiles: dict[str, MolecularProfile] = {}
    for row in read_rows(path, ("name", "molecular_profile_id", "variant_ids")):
        ids = tuple(v.strip() for v in row.get("variant_ids").split(",") if v.strip())
        pid = row.get("molecular_profile_id")
        profiles[pid] = MolecularProfile(
            pid, row.get("name"), ids, _flag(row.get("is_flagged"))
        )
    return profiles


def compile_release(
    evidence_path: Path,
    variants_path: Path | None = None,
    profiles_path: Path | None = None,
) -> CivicRelease:
    """Compile one CIViC release (layout detected from the evidence header)."""
    columns = _header_columns(evidence_path)
    variants = read_variants(variants_path) if variants_path else {}
    skipped: Counter[str] = Counter()
    if "molecular_profile_id" in columns:
        if profiles_path is None:
            raise BundleError(
                f"{evidence_path.name} is in CIViC's molecular-profile layout; "
                "MolecularProfileSummaries.tsv is needed too"
            )
        profiles = read_profiles(profiles_path)
        rows = list(read_rows(evidence_path, _CIVIC_2024_EVIDENCE))
        pairs = _resolve_2024(_usable(rows, skipped), profiles, variants)
    elif {"gene", "variant"} <= columns:
        rows = list(read_rows(evidence_path, _CIVIC_2021_EVIDENCE))
        pairs = ((row, _variant(row, inline=True)) for row in _usable(rows, skipped))
    else:
        raise BundleError(
            f"{evidence_path.name}: line 1 is neither CIViC's molecular-profile header "
            "(molecular_profile_id…) nor the legacy nightly header (gene, variant…)"
        )
    items: list[EvidenceItem] = []
    diseases: dict[tuple[str, str], None] = {}
    for row, variant in pairs:
        if isinstance(variant, str):
            skipped[variant] += 1
            continue
        outcome = _evidence_item(row, variant)
        if isinstance(outcome, str):
            skipped[outcome] += 1
            continue
        items.append(outcome)
        diseases[(outcome.disease, row.get("doid"))] = None
    report = CompileReport(len(rows), len(items), tuple(sorted(skipped.items())))
    return CivicRelease(tuple(items), tuple(variants.values()), tuple(diseases), report)


def _usable(rows: Iterable[Row], skipped: Counter[str]) -> Iterator[Row]:
    """Accepted, unflagged evidence rows; the others are counted by reason."""
    for row in rows:
        status = row.get("evidence_status")
        if status and status != "accepted":
            skipped[f"status {status}"] += 1
        elif _flag(row.get("is_flagged")):
            skipped["flagged evidence"] += 1
        else:
            yield row


def _resolve_2024(
    rows: Iterable[Row],
    profiles: dict[str, MolecularProfile],
    variants: dict[str, CivicVariant],
) -> Iterator[tuple[Row, CivicVariant | str]]:
    """Pair each evidence row with the variant(s) of its molecular profile."""
    for row in rows:
        profile = profiles.get(row.get("molecular_profile_id"))
        name = profile.name if profile else row.get("molecular_profile")
        if profile and profile.flagged:
            yield row, "flagged molecular profile"
            continue
        if _NOT.search(name):
            yield row, "NOT profile"
            continue
        parts = _COMBINATION.split(name)
        operators = set(parts[1::2])
        if "AND" in operators:
            yield row, "AND profile (needs several variants)"
            continue
        members = [
            variants[i]
            for i in (profile.variant_ids if profile else ())
            if i in variants
        ]
        by_name = {f"{v.gene} {v.name}".upper(): v for v in members}
        names = parts[0::2]
        for part in names:
            variant = by_name.get(part.strip().upper())
            if variant is None and len(names) == 1 and len(members) == 1:
                # the profile name differs from "gene variant"; its one variant still holds
                variant = members[0]
            yield row, variant or _variant_from_name(part)


def _variant_from_name(profile_part: str) -> CivicVariant | str:
    """``BRAF V600E`` -> gene BRAF, variant V600E (no coordinates known)."""
    gene, _, name = profile_part.strip().partition(" ")
    if not gene or not name:
        return "profile name without gene and variant"
    return CivicVariant(variant_id="", gene=gene, name=name)


def _match_target(variant: CivicVariant) -> tuple[MatchTarget, bool] | str:
    """The variant's match target and whether its coordinates are usable, or a skip reason."""
    usable = bool(variant.ref or variant.alt) and variant.chrom is not None
    usable = usable and not variant.flagged
    target = parse_variant_name(variant.name)
    if isinstance(target, Unmatchable):
        if not usable:
            return target.code
        target = MatchTarget(precise=True)  # e.g. "E55= (c.165G>A)": coordinates only
    structured = (target.hgvsp, target.codon, target.exon, target.mutation_class)
    if not usable and not any(structured):
        return "unparsed name"  # a cDNA or rsID name without CIViC coordinates
    return target, usable


def _evidence_item(row: Row, variant: CivicVariant) -> EvidenceItem | str:
    matched = _match_target(variant)
    if isinstance(matched, str):
        return matched
    target, genomic = matched
    try:
        evidence_type = EvidenceType(row.get("evidence_type"))
    except ValueError:
        return f"evidence type {row.get('evidence_type')!r}"
    therapies = row.get("therapies") or row.get("drugs")
    rating = row.get("rating")
    disease = row.get("disease")
    source_type, citation_id = row.get("source_type"), row.get("citation_id")
    prefix = "PMID" if source_type.lower() == "pubmed" else source_type or "CIViC"
    return EvidenceItem(
        evidence_id=f"EID{row.get('evidence_id')}",
        gene=variant.gene,
        profile=row.get("molecular_profile") or f"{variant.gene} {variant.name}",
        disease=disease,
        primary_site=primary_site_for(disease),
        therapies=tuple(t.strip() for t in therapies.split(",") if t.strip()),
        evidence_type=evidence_type,
        direction=row.get("evidence_direction"),
        significance=row.get("significance") or row.get("clinical_significance"),
        level=row.get("evidence_level"),
        rating=int(rating) if rating.isdigit() else None,
        citation=f"{prefix}:{citation_id}" if citation_id else "",
        build=variant.build if genomic else None,
        chrom=variant.chrom if genomic else None,
        start=variant.start if genomic else None,
        end=variant.stop if genomic else None,
        ref=variant.ref if genomic else None,
        alt=variant.alt if genomic else None,
        hgvsp=target.hgvsp,
        codon=target.codon,
        exon=target.exon,
        mutation_class=target.mutation_class,
        variant_origin=row.get("variant_origin") or "Somatic",
    )


def _variant(row: Row, inline: bool = False) -> CivicVariant:
    start, stop = row.get("start"), row.get("stop")
    chrom = row.get("chromosome").removeprefix("chr") or None
    name = row.get("variant")
    if inline and name.upper().startswith(row.get("gene").upper() + " "):
        name = name[len(row.get("gene")) + 1 :]
    return CivicVariant(
        variant_id=row.get("variant_id"),
        gene=row.get("gene"),
        name=name,
        entrez_id=row.get("entrez_id"),
        chrom=chrom,
        start=int(start) if start.isdigit() else None,
        stop=int(stop) if stop.isdigit() else None,
        ref=row.get("reference_bases") or None,
        alt=row.get("variant_bases") or None,
        build=_BUILDS.get(row.get("reference_build")),
        flagged=_flag(row.get("is_flagged")),
    )


def _flag(text: str) -> bool:
    return text.strip().lower() == "true"


def _header_columns(path: Path) -> set[str]:
    """The column names on the first line of a (possibly gzipped) TSV."""
    with open_text(path) as fh:
        return {h.strip() for h in fh.readline().rstrip("\r\n").split("\t")}
