"""Protein domains for OM1 of the oncogenicity SOP ("located in a critical and well-established
part of a functional domain").

OM1 is decided here from two facts: the variant's residue lies in an annotated Pfam domain of
its picked transcript's protein, and an established oncogenic missense change (the evidence OS1
uses) sits at *another* residue of that same domain. VEP's ``DOMAINS`` CSQ field names the
domains at a variant (``Pfam_domain:PF00069&SMART_domains:SM00220``; VEP >= 90 writes
``Pfam:PF00069``) but not where they start and end, so the second fact needs the domain's
residue span (``DomainSpan``), e.g. from Ensembl's protein features of the translation.
Methods: docs/methods.md, "Oncogenicity".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from oncodrop.domain.variant import Variant

PFAM_PREFIXES = ("Pfam_domain:", "Pfam:")
"""How VEP names a Pfam hit in ``DOMAINS`` (VEP < 90, VEP >= 90)."""


@dataclass(frozen=True, slots=True)
class DomainSpan:
    """One Pfam domain of the picked transcript's protein: accession and first/last residue."""

    accession: str  # "PF00069"
    start: int
    end: int

    def holds(self, residue: int) -> bool:
        return self.start <= residue <= self.end


def pfam_accessions(domains: str) -> frozenset[str]:
    """The Pfam accessions of a VEP ``DOMAINS`` cell (other sources and empty cells: none)."""
    found = set()
    for entry in domains.split("&"):
        for prefix in PFAM_PREFIXES:
            if entry.startswith(prefix) and len(entry) > len(prefix):
                found.add(entry[len(prefix) :])
    return frozenset(found)


OncogenicByResidue = Mapping[tuple[str, int], tuple[tuple[str, str], ...]]
"""(gene, residue) -> ((change, evidence id), ...): ``OncogenicResidues.by_codon``."""


def oncogenic_in_domains(
    by_residue: OncogenicByResidue,
    variant: Variant,
    domains: Iterable[DomainSpan],
    named: frozenset[str] | None = None,
) -> tuple[tuple[str, str, str], ...]:
    """OM1's evidence: ``(accession, change, evidence id)`` of every established oncogenic
    missense change at another residue of a Pfam domain that holds the variant's residue.
    ``named``: the Pfam accessions VEP's ``DOMAINS`` gives at the variant (``pfam_accessions``);
    when given, a span of any other accession does not count (VEP's call on the picked
    transcript wins over a span table of another release).

    Only missense variants qualify: the established changes OM1 compares with are missense, and
    null or in-frame length changes have OVS1/OM2.
    """
    csq = variant.consequence
    if csq is None or not csq.gene or csq.protein_position is None:
        return ()
    if "missense_variant" not in csq.terms:
        return ()
    gene, residue = csq.gene.upper(), csq.protein_position
    found: set[tuple[str, str, str]] = set()
    for span in domains:
        if not span.holds(residue) or (named is not None and span.accession not in named):
            continue
        for other in range(span.start, span.end + 1):
            if other != residue:
                found.update((span.accession, change, eid) for change, eid in by_residue.get((gene, other), ()))
    return tuple(sorted(found))
