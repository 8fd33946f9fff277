from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from oncodrop.domain.evidence import EvidenceType
from oncodrop.errors import BundleError
from oncodrop.refdata.civic import CivicRelease, compile_release, read_variants

CIVIC_2024 = "civic/01-Aug-2024-{}.tsv.gz"


@pytest.fixture(scope="module")
def release_2024(testdata: Path) -> CivicRelease:
    return compile_release(
        testdata / CIVIC_2024.format("ClinicalEvidenceSummaries"),
        testdata / CIVIC_2024.format("VariantSummaries"),
        testdata / CIVIC_2024.format("MolecularProfileSummaries"),
    )


def _raw_rows(path: Path) -> list[dict[str, str]]:
    """Independent reading of the upstream file (csv module, quoting off) for cross-checks."""
    with gzip.open(path, "rt", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_braf_v600e_has_level_a_vemurafenib_evidence_in_melanoma(
    release_2024: CivicRelease,
) -> None:
    hits = [
        e for e in release_2024.evidence
        if e.gene == "BRAF" and e.hgvsp == "p.V600E" and e.level == "A"
        and e.evidence_type is EvidenceType.PREDICTIVE and e.primary_site == "Skin"
    ]  # fmt: skip
    assert "Vemurafenib" in {t for e in hits for t in e.therapies}
    eid1409 = next(e for e in hits if e.evidence_id == "EID1409")
    assert eid1409.disease == "Skin Melanoma"
    assert eid1409.significance == "Sensitivity/Response"
    assert (eid1409.build, eid1409.chrom, eid1409.start, eid1409.ref, eid1409.alt) == (
        "grch37", "7", 140453136, "A", "T",
    )  # fmt: skip
    assert eid1409.citation == "PMID:21639808"


def test_dabrafenib_trametinib_combination_keeps_both_therapies(
    release_2024: CivicRelease,
) -> None:
    eid3017 = next(e for e in release_2024.evidence if e.evidence_id == "EID3017")
    assert set(eid3017.therapies) == {"Dabrafenib", "Trametinib"}
    assert eid3017.primary_site == "Lung"


def test_flagged_rows_and_and_profiles_are_skipped_and_counted(
    release_2024: CivicRelease, testdata: Path
) -> None:
    raw = _raw_rows(testdata / CIVIC_2024.format("ClinicalEvidenceSummaries"))
    flagged = {r["evidence_id"] for r in raw if r["is_flagged"] == "true"}
    and_profiles = {r["evidence_id"] for r in raw if " AND " in r["molecular_profile"]}
    kept = {e.evidence_id.removeprefix("EID") for e in release_2024.evidence}
    assert flagged and and_profiles
    assert not kept & flagged
    assert not kept & and_profiles
    report = release_2024.report
    assert report.rows_read == len(raw)
    assert report.items_written == len(release_2024.evidence)
    assert report.skipped_for("flagged evidence") == len(flagged)
    assert report.skipped_for("AND profile (needs several variants)") == len(
        and_profiles - flagged
    )


def test_or_profiles_give_one_item_per_alternative_and_not_profiles_are_skipped(
    release_2024: CivicRelease, testdata: Path
) -> None:
    items = [
        e
        for e in release_2024.evidence
        if e.profile == "EGFR L858R OR EGFR Exon 19 Deletion"
    ]
    by_id: dict[str, set[object]] = {}
    for item in items:
        by_id.setdefault(item.evidence_id, set()).add(item.hgvsp or item.exon)
    assert by_id and all(targets == {"p.L858R", 19} for targets in by_id.values())
    raw = _raw_rows(testdata / CIVIC_2024.format("ClinicalEvidenceSummaries"))
    notch1 = {
        r["evidence_id"] for r in raw if r["molecular_profile"].startswith("NOTCH1 ")
    }
    kept = {
        e.evidence_id.removeprefix("EID")
        for e in release_2024.evidence
        if e.gene == "NOTCH1"
    }
    assert notch1 & kept  # "NOTCH1" is not a NOT profile


def test_every_evidence_item_has_a_match_target(release_2024: CivicRelease) -> None:
    assert len(release_2024.evidence) > 1000  # the 2024 release: thousands of items
    for item in release_2024.evidence:
        has_target = any(
            (item.hgvsp, item.codon, item.exon, item.mutation_class, item.start)
        )
        assert has_target, item.evidence_id


def test_exon_19_deletion_and_gene_level_amplification_are_structured(
    release_2024: CivicRelease,
) -> None:
    exon19 = [e for e in release_2024.evidence if e.gene == "EGFR" and e.exon == 19]
    assert exon19 and all(e.mutation_class == "inframe_deletion" for e in exon19)
    erbb2 = [
        e
        for e in release_2024.evidence
        if e.gene == "ERBB2" and e.mutation_class == "amplification"
    ]
    assert any(
        "Trastuzumab" in e.therapies and e.primary_site == "Breast" for e in erbb2
    )


def test_profile_variant_missing_from_variant_summaries_falls_back_to_the_profile_name(
    testdata: Path, tmp_path: Path
) -> None:
    """Real rows for EID1409 (BRAF V600E) with its variant removed from VariantSummaries."""

    def subset(kind: str, keep) -> Path:
        with gzip.open(testdata / CIVIC_2024.format(kind), "rt", newline="") as fh:
            header, *lines = fh.read().split("\n")
        target = tmp_path / f"{kind}.tsv"
        target.write_text(
            "\n".join([header] + [x for x in lines if x and keep(x.split("\t"))]) + "\n"
        )
        return target

    evidence = subset("ClinicalEvidenceSummaries", lambda f: f[19] == "1409")
    profiles = subset("MolecularProfileSummaries", lambda f: f[0] == "BRAF V600E")
    variants = subset("VariantSummaries", lambda f: False)
    (item,) = compile_release(evidence, variants, profiles).evidence
    assert (item.evidence_id, item.gene, item.hgvsp, item.codon) == (
        "EID1409",
        "BRAF",
        "p.V600E",
        600,
    )
    assert item.start is None  # no coordinates without the variant row


def test_legacy_2021_nightly_layout_compiles(testdata: Path) -> None:
    release = compile_release(
        testdata / "civic/legacy-2021/nightly-ClinicalEvidenceSummaries.tsv.gz",
        testdata / "civic/legacy-2021/nightly-VariantSummaries.tsv.gz",
    )
    raw = _raw_rows(
        testdata / "civic/legacy-2021/nightly-ClinicalEvidenceSummaries.tsv.gz"
    )
    assert release.report.rows_read == len(raw)
    braf = [
        e
        for e in release.evidence
        if e.gene == "BRAF" and e.hgvsp == "p.V600E" and e.level == "A"
    ]
    assert any("Vemurafenib" in e.therapies and e.primary_site == "Skin" for e in braf)
    assert release.evidence
    assert all(e.build in (None, "grch37") for e in release.evidence)


def test_legacy_variant_summaries_with_tab_joined_urls_are_read(testdata: Path) -> None:
    path = testdata / "civic/legacy-2021/nightly-VariantSummaries.tsv.gz"
    with gzip.open(path, "rt") as fh:
        lines = fh.read().splitlines()[1:]
    wide = [
        line.split("\t")[0] for line in lines if len(line.rstrip("\n").split("\t")) > 28
    ]
    variants = read_variants(path)
    assert wide and all(variant_id in variants for variant_id in wide)
    assert len(variants) == len(lines)


def test_molecular_profile_layout_without_profiles_file_is_refused(
    testdata: Path,
) -> None:
    with pytest.raises(BundleError, match="MolecularProfileSummaries"):
        compile_release(testdata / CIVIC_2024.format("ClinicalEvidenceSummaries"))


def test_unknown_layout_is_refused_naming_the_file(tmp_path: Path) -> None:
    bogus = tmp_path / "evidence.tsv"
    bogus.write_text("foo\tbar\n1\t2\n")
    with pytest.raises(BundleError, match="evidence.tsv: line 1"):
        compile_release(bogus)
