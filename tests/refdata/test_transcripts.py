"""The precomputed transcript table (``refdata.transcripts``) says what the GFF3 parse says.

``refdata build`` writes ``genome/<build>/transcripts.tsv.gz`` so the reporter need not parse
the whole GFF3 per worker; the table must hold the same facts in the same order (the order
breaks pick ties), for real Ensembl-style models: the GENCODE 19 BRCA1 locus of
``realref/grch37`` and bcftools' csq test slices (``../shared/testdata/INDEX.md``).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from oncodrop.errors import BundleError
from oncodrop.refdata.transcripts import (
    TABLE_VERSION,
    TranscriptFacts,
    gff3_transcripts,
    load_transcripts,
    parse_gff3,
    read_transcript_table,
    write_transcript_table,
)

REALREF_GFF3 = "realref/grch37/grch37.brca1.gencode19-as-ensembl.gff3.gz"


def _models(testdata: Path) -> list[Path]:
    return [testdata / REALREF_GFF3, *sorted((testdata / "bcftools-csq").glob("*/*.gff"))]


def test_the_table_reads_back_what_the_gff3_parse_gives_in_order(testdata: Path, tmp_path: Path) -> None:
    models = _models(testdata)
    assert len(models) >= 9
    for i, gff3 in enumerate(models):
        parsed = parse_gff3(gff3)
        assert parsed, gff3
        loaded = read_transcript_table(write_transcript_table(tmp_path / f"{i}.tsv.gz", parsed))
        assert list(loaded.items()) == list(parsed.items()), gff3


def test_the_real_brca1_model_exercises_every_field(testdata: Path, tmp_path: Path) -> None:
    """Tags, multi-exon CDS, non-coding transcripts (no CDS) and a 5' phase all round-trip."""
    parsed = parse_gff3(testdata / REALREF_GFF3)
    canonical = parsed["ENST00000357654"]
    assert canonical.gene == "BRCA1" and canonical.strand == "-" and canonical.seqid == "17"
    assert len(canonical.exons) > 20 and canonical.cds is not None and canonical.tags
    assert any(f.cds is None for f in parsed.values()) and any(not f.tags for f in parsed.values())
    phased = parse_gff3(testdata / "bcftools-csq/SAMD11_ENST00000341065/ENST00000341065.gff")
    assert phased["ENST00000341065"].cds_phase == 2
    table = write_transcript_table(tmp_path / "t.tsv.gz", parsed | phased)
    assert read_transcript_table(table) == parsed | phased


def test_same_facts_write_the_same_bytes(testdata: Path, tmp_path: Path) -> None:
    parsed = parse_gff3(testdata / REALREF_GFF3)
    first = write_transcript_table(tmp_path / "a.tsv.gz", parsed).read_bytes()
    assert write_transcript_table(tmp_path / "b.tsv.gz", parsed).read_bytes() == first


def test_the_table_is_loaded_when_present_and_the_gff3_parsed_when_not(testdata: Path, tmp_path: Path) -> None:
    gff3 = testdata / REALREF_GFF3
    assert load_transcripts(None, gff3) == parse_gff3(gff3)
    assert load_transcripts(None, gff3) is gff3_transcripts(gff3)  # parsed once per process
    assert load_transcripts(None, None) is None
    # a table that differs from the GFF3 proves which one is read
    only = TranscriptFacts("ENST_TABLE_ONLY", "protein_coding", frozenset({"MANE_Select"}), 3, "+", ((1, 3),), (1, 3),
                           "GENE", "17", 0)  # fmt: skip
    table = write_transcript_table(tmp_path / "transcripts.tsv.gz", {only.transcript: only})
    assert dict(load_transcripts(table, gff3) or {}) == {only.transcript: only}


def test_a_file_that_is_not_a_transcript_table_is_a_bundle_error(tmp_path: Path) -> None:
    other = tmp_path / "other.tsv.gz"
    other.write_bytes(gzip.compress(b"#something else\n"))
    with pytest.raises(BundleError, match="not an oncodrop transcript table"):
        read_transcript_table(other)
    cut = tmp_path / "cut.tsv.gz"
    header = write_transcript_table(tmp_path / "empty.tsv.gz", {}).read_bytes()
    cut.write_bytes(header + gzip.compress(b"ENST1\tprotein_coding\n"))
    with pytest.raises(BundleError, match="line 3"):
        read_transcript_table(cut)
    assert gzip.decompress(header).decode().startswith(TABLE_VERSION)


def test_a_field_the_table_cannot_hold_is_refused(tmp_path: Path) -> None:
    bad = TranscriptFacts("ENST1", gene="A\tB")
    with pytest.raises(BundleError, match="ENST1"):
        write_transcript_table(tmp_path / "t.tsv.gz", {"ENST1": bad})
