"""Small files in the exact upstream formats, laid out like the upstream servers.

CIViC files are the real 01-Aug-2024 / 2021 releases from ../shared/testdata (served
uncompressed, as civicdb.org serves them); the others are generated here because only their
format matters: OncoKB's cancerGeneList.txt, a cancerhotspots v2 SNV table, ClinVar VCFs, a
SigProfilerAssignment-shaped wheel holding the real COSMIC matrix, an Ensembl GFF3 and FASTA.
"""

from __future__ import annotations

import gzip
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pysam

CIVIC_RELEASE = "01-Aug-2024"
WHEEL_VERSION = "0.1.9"
ONCOKB_HEADER = (
    "Hugo Symbol\tEntrez Gene ID\tGRCh37 Isoform\tGRCh37 RefSeq\tGRCh38 Isoform\tGRCh38 RefSeq\t"
    "# of occurrence within resources (Column J-P)\tOncoKB Annotated\tIs Oncogene\t"
    "Is Tumor Suppressor Gene\tMSK-IMPACT\tMSK-HEME\tFOUNDATION ONE\tFOUNDATION ONE HEME\t"
    "Vogelstein\tSANGER CGC(05/30/2017)\tGene Aliases"
)
ONCOKB_ROWS = (  # symbol, entrez, oncogene, tsg
    ("BRAF", "673", "Yes", "No"), ("TP53", "7157", "No", "Yes"), ("EZH2", "2146", "Yes", "Yes"),
    ("KRAS", "3845", "Yes", "No"), ("BRCA2", "675", "No", "Yes"), ("ZFHX3", "463", "No", "No"),
)  # fmt: skip
HOTSPOT_HEADER = (
    "Hugo_Symbol\tAmino_Acid_Position\tlog10_pvalue\tMutation_Count\tReference_Amino_Acid\t"
    "Total_Mutations_in_Gene\tMedian_Allele_Freq_Rank\tAllele_Freq_Rank\tVariant_Amino_Acid\tqvalue"
)
HOTSPOT_ROWS = (
    (
        "BRAF",
        "600",
        "-300",
        "897",
        "V:897",
        "1200",
        "0.4",
        "0.1",
        "E:833|K:32|M:12|R:10|G:6|A:4",
        "0",
    ),
    (
        "KRAS",
        "12",
        "-300",
        "2175",
        "G:2175",
        "3000",
        "0.3",
        "0.2",
        "D:977|V:689|C:290|A:114",
        "0",
    ),
    (
        "EGFR",
        "746-750",
        "-30",
        "40",
        "E:40",
        "900",
        "0.3",
        "0.3",
        "del:40",
        "0",
    ),  # indel: skipped
)
# Two short Ensembl-style contigs; genes placed inside them.
CONTIGS = {"7": 6_000, "17": 4_000}
GFF3 = """##gff-version 3
##sequence-region   7 1 6000
##sequence-region   17 1 4000
7\tensembl_havana\tgene\t1001\t4000\t.\t-\t.\tID=gene:ENSG00000157764;Name=BRAF;biotype=protein_coding;gene_id=ENSG00000157764;version=14
7\tensembl_havana\tmRNA\t1001\t4000\t.\t-\t.\tID=transcript:ENST00000646891;Parent=gene:ENSG00000157764;Name=BRAF-220;biotype=protein_coding
17\tensembl_havana\tgene\t501\t3500\t.\t-\t.\tID=gene:ENSG00000141510;Name=TP53;biotype=protein_coding;gene_id=ENSG00000141510;version=19
17\thavana\tncRNA_gene\t3600\t3900\t.\t+\t.\tID=gene:ENSG00000999999;biotype=lncRNA;gene_id=ENSG00000999999
"""
CLINVAR_RECORDS = (
    ("7", 2000, "12345", 0, "T", "Pathogenic", "BRAF:673"),
    ("17", 1500, "12374", 0, "A", "Pathogenic", "TP53:7157"),
    ("17", 2500, "12351", 0, "G", "Benign", "TP53:7157"),
)


def write_hotspots_xls(path: Path, rows: tuple[tuple[str, ...], ...] = HOTSPOT_ROWS) -> Path:
    """An Excel 97 workbook laid out like cancerhotspots.org's ``hotspots_v2.xls``: the
    INDEL sheet first, then ``SNV-hotspots`` with numbers stored as numbers (600.0)."""
    import xlwt  # test-only writer: no maintained library writes .xls

    book = xlwt.Workbook()
    header = HOTSPOT_HEADER.split("\t")
    indel = book.add_sheet("INDEL-hotspots")
    for col, name in enumerate(header):
        indel.write(0, col, name)
    indel.write(1, 0, "EGFR")
    indel.write(1, 1, "746-750")
    snv = book.add_sheet("SNV-hotspots")
    for col, name in enumerate([*header, "Detailed_Cancer_Types"]):
        snv.write(0, col, name)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            snv.write(r, col, float(value) if value.lstrip("-").isdigit() else value)
        snv.write(r, len(row), "skin:melanoma:12")
    book.save(str(path))
    return path


@dataclass(frozen=True, slots=True)
class Upstream:
    """Where each fixture lives under the served root, as --source-url templates."""

    overrides: dict[str, str]
    sequences: dict[str, str]


def sequence(chrom: str) -> str:
    """A deterministic sequence for a contig (same in FASTA and ClinVar REF alleles)."""
    bases = "ACGT"
    return "".join(
        bases[(i * 7 + len(chrom) * 3 + i // 5) % 4] for i in range(CONTIGS[chrom])
    )


def write_upstream(
    root: Path, testdata: Path, reference: Path, base_url: str
) -> Upstream:
    civic = root / "civic" / CIVIC_RELEASE
    civic.mkdir(parents=True)
    for kind in (
        "ClinicalEvidenceSummaries",
        "MolecularProfileSummaries",
        "VariantSummaries",
    ):
        source = testdata / f"civic/{CIVIC_RELEASE}-{kind}.tsv.gz"
        (civic / f"{CIVIC_RELEASE}-{kind}.tsv").write_bytes(
            gzip.decompress(source.read_bytes())
        )
    legacy = root / "civic" / "nightly"
    legacy.mkdir()
    for kind in ("ClinicalEvidenceSummaries", "VariantSummaries"):
        source = testdata / f"civic/legacy-2021/nightly-{kind}.tsv.gz"
        (legacy / f"nightly-{kind}.tsv").write_bytes(
            gzip.decompress(source.read_bytes())
        )

    rows = [
        f"{symbol}\t{entrez}\t\t\t\t\t3\tYes\t{onc}\t{tsg}\tYes\tYes\tYes\tYes\t\t\t"
        for symbol, entrez, onc, tsg in ONCOKB_ROWS
    ]
    (root / "cancerGeneList.txt").write_text("\n".join([ONCOKB_HEADER, *rows]) + "\n")
    hotspots = ["\t".join(r) for r in HOTSPOT_ROWS]
    (root / "hotspots_v2_snv.tsv").write_text(
        "\n".join([HOTSPOT_HEADER, *hotspots]) + "\n"
    )
    write_hotspots_xls(root / "hotspots_v2.xls")

    sequences = {chrom: sequence(chrom) for chrom in CONTIGS}
    ensembl = root / "ensembl"
    for build, label in (("grch37", "GRCh37"), ("grch38", "GRCh38")):
        folder = ensembl / build
        folder.mkdir(parents=True)
        (folder / "genes.gff3.gz").write_bytes(gzip.compress(GFF3.encode()))
        fasta = "".join(
            f">{c} dna:chromosome chromosome:{label}:{c}:1:{len(s)}:1 REF\n"
            + "".join(s[i : i + 60] + "\n" for i in range(0, len(s), 60))
            for c, s in sequences.items()
        )
        (folder / f"Homo_sapiens.{label}.dna.primary_assembly.fa.gz").write_bytes(
            gzip.compress(fasta.encode())
        )
        _write_clinvar(root / "clinvar" / f"vcf_{label}", label, sequences)

    wheel = root / f"SigProfilerAssignment-{WHEEL_VERSION}-py3-none-any.whl"
    matrix = (reference / "pcgr/COSMIC_v3.4_SBS_GRCh38.txt").read_bytes()
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("SigProfilerAssignment/__init__.py", "")
        for label in ("GRCh37", "GRCh38"):
            member = f"SigProfilerAssignment/data/Reference_Signatures/{label}/COSMIC_v3.4_SBS_{label}.txt"
            archive.writestr(member, matrix)
        archive.writestr(
            f"SigProfilerAssignment-{WHEEL_VERSION}.dist-info/METADATA",
            "Name: SigProfilerAssignment\n",
        )

    overrides = {
        "civic_evidence": base_url
        + "/civic/{version}/{version}-ClinicalEvidenceSummaries.tsv",
        "civic_profiles": base_url
        + "/civic/{version}/{version}-MolecularProfileSummaries.tsv",
        "civic_variants": base_url + "/civic/{version}/{version}-VariantSummaries.tsv",
        "oncokb_genes": base_url + "/cancerGeneList.txt",
        "cancerhotspots": base_url + "/hotspots_v2.xls",  # as cancerhotspots.org publishes it
        "clinvar": base_url + "/clinvar/vcf_{label}/clinvar.vcf.gz",
        "sigprofiler_wheel": base_url
        + "/SigProfilerAssignment-{version}-py3-none-any.whl",
        "ensembl_gff3": base_url + "/ensembl/{build}/genes.gff3.gz",
        "ensembl_fasta": base_url
        + "/ensembl/{build}/Homo_sapiens.{label}.dna.primary_assembly.fa.gz",
    }
    return Upstream(overrides, sequences)


def _write_clinvar(folder: Path, label: str, sequences: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    lines = [
        "##fileformat=VCFv4.1",
        "##fileDate=2026-11-20",
        "##source=ClinVar",
        f"##reference={label}",
        '##ID=<Description="ClinVar Variation ID">',
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Aggregate germline classification">',
        '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status">',
        '##INFO=<ID=CLNDN,Number=.,Type=String,Description="ClinVar\'s preferred disease name">',
        '##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s) for the variant">',
        '##INFO=<ID=MC,Number=.,Type=String,Description="molecular consequence">',
        '##INFO=<ID=CLNHGVS,Number=.,Type=String,Description="Top-level HGVS expression.">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    ]
    for chrom, pos, vid, _, alt, sig, gene in CLINVAR_RECORDS:
        ref = sequences[chrom][pos - 1]
        alt = alt if alt != ref else "C" if ref != "C" else "G"
        info = (f"CLNSIG={sig};CLNREVSTAT=criteria_provided,_single_submitter;CLNDN=not_provided;"
                f"GENEINFO={gene};MC=SO:0001583|missense_variant;CLNHGVS=NC_0000{chrom}:g.{pos}{ref}>{alt}")  # fmt: skip
        lines.append(f"{chrom}\t{pos}\t{vid}\t{ref}\t{alt}\t.\t.\t{info}")
    plain = folder / "clinvar.vcf"
    plain.write_text("\n".join(lines) + "\n")
    pysam.tabix_compress(str(plain), str(folder / "clinvar.vcf.gz"))
    plain.unlink()
