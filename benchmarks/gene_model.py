"""Loading the bundle's transcript table against parsing the GFF3 it was made from.

The reporter needs every transcript's facts (``refdata.transcripts.TranscriptFacts``) before its
first germline or bcftools-csq sample. Parsing Ensembl's GRCh38 release 113 GFF3 (~3.5M lines)
takes 25-30 s per worker process; ``refdata build`` now writes ``transcripts.tsv.gz`` instead.
No full Ensembl GFF3 is kept locally (``../shared/testdata`` holds gene slices only), so this
writes a seeded synthetic one shaped like Ensembl's: gene, mRNA/ncRNA rows with Ensembl's
attribute strings and ``tag=`` values, exon rows with their long attributes, CDS and UTR rows,
``###`` separators; about 3.5M lines with the defaults. Then, alternating, ``parse_gff3`` on it
and ``read_transcript_table`` on the table written from it; wall time of each run, median.

    python benchmarks/gene_model.py --runs 3
"""

from __future__ import annotations

import argparse
import gc
import gzip
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from oncodrop.refdata.transcripts import TranscriptFacts, parse_gff3, read_transcript_table, write_transcript_table

TAGS = ("basic", "Ensembl_canonical", "MANE_Select", "CCDS", "appris_principal_1", "gencode_primary")
BIOTYPES = ("protein_coding",) * 6 + ("nonsense_mediated_decay", "retained_intron", "lncRNA", "processed_transcript")


def write_gff3(path: Path, genes: int, seed: int = 11) -> int:
    """A synthetic Ensembl-style GFF3 of ``genes`` genes (gzip level 1); returns its line count."""
    rng = random.Random(seed)
    lines = 0
    tx = exon_no = 0
    with gzip.open(path, "wt", compresslevel=1) as out:
        out.write("##gff-version 3\n")
        for g in range(genes):
            chrom = str(1 + g * 22 // genes)
            start = 10_000 + (g % (genes // 22 + 1)) * 60_000
            strand = "+" if rng.random() < 0.5 else "-"
            gid = f"ENSG{g:011d}"
            n_tx = rng.choice((1, 2, 3, 4, 5, 6, 7))
            end = start + 40_000
            out.write(f"{chrom}\tensembl_havana\tgene\t{start}\t{end}\t.\t{strand}\t.\tID=gene:{gid};Name=GENE{g};"
                      f"biotype=protein_coding;description=synthetic gene {g} [Source:HGNC Symbol%3BAcc:HGNC:{g}];"
                      f"gene_id={gid};logic_name=ensembl_havana_gene_homo_sapiens;version=7\n")  # fmt: skip
            lines += 1
            for t in range(n_tx):
                tx += 1
                tid = f"ENST{tx:011d}"
                biotype = rng.choice(BIOTYPES)
                tags = ",".join(TAGS[:3] if t == 0 else rng.sample(TAGS[3:], rng.randint(0, 2)) or ["basic"])
                n_exons = rng.randint(2, 12)
                cuts = sorted(rng.sample(range(start, end), 2 * n_exons))
                exons = [(cuts[2 * i], cuts[2 * i + 1]) for i in range(n_exons)]
                kind = "mRNA" if biotype != "lncRNA" else "lnc_RNA"
                out.write(f"{chrom}\thavana\t{kind}\t{exons[0][0]}\t{exons[-1][1]}\t.\t{strand}\t.\tID=transcript:{tid};"
                          f"Parent=gene:{gid};Name=GENE{g}-{201 + t};biotype={biotype};tag={tags};transcript_id={tid};"
                          f"transcript_support_level=1;version=2\n")  # fmt: skip
                lines += 1
                for rank, (s, e) in enumerate(exons, start=1):
                    exon_no += 1
                    out.write(f"{chrom}\thavana\texon\t{s}\t{e}\t.\t{strand}\t.\tParent=transcript:{tid};"
                              f"Name=ENSE{exon_no:011d};constitutive=0;ensembl_end_phase=-1;ensembl_phase=-1;"
                              f"exon_id=ENSE{exon_no:011d};rank={rank};version=1\n")  # fmt: skip
                    lines += 1
                if biotype in ("protein_coding", "nonsense_mediated_decay"):
                    out.write(f"{chrom}\thavana\tfive_prime_UTR\t{exons[0][0]}\t{exons[0][0] + 5}\t.\t{strand}\t.\t"
                              f"Parent=transcript:{tid}\n")  # fmt: skip
                    for s, e in exons[:-1]:
                        out.write(f"{chrom}\thavana\tCDS\t{max(s, exons[0][0] + 6)}\t{e}\t.\t{strand}\t0\t"
                                  f"ID=CDS:ENSP{tx:011d};Parent=transcript:{tid};protein_id=ENSP{tx:011d}\n")  # fmt: skip
                    out.write(f"{chrom}\thavana\tthree_prime_UTR\t{exons[-1][0]}\t{exons[-1][1]}\t.\t{strand}\t.\t"
                              f"Parent=transcript:{tid}\n")  # fmt: skip
                    lines += 2 + len(exons) - 1
            out.write("###\n")
            lines += 1
    return lines


def _timed(fn: Callable[[Path], dict[str, TranscriptFacts]], path: Path) -> tuple[float, dict[str, TranscriptFacts]]:
    gc.collect()
    began = time.perf_counter()
    result = fn(path)
    return time.perf_counter() - began, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--genes", type=int, default=62_000, help="62,000: ~3.5M lines, ~250k transcripts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="oncodrop-gene-model-") as work:
        gff3 = Path(work) / "genes.gff3.gz"
        began = time.perf_counter()
        lines = write_gff3(gff3, args.genes)
        print(f"synthetic GFF3: {lines:,} lines, {gff3.stat().st_size / 1e6:.0f} MB gzipped "
              f"({time.perf_counter() - began:.0f} s to write)")  # fmt: skip
        parse_s, parsed = _timed(parse_gff3, gff3)
        began = time.perf_counter()
        table = write_transcript_table(Path(work) / "transcripts.tsv.gz", parsed)
        print(f"{len(parsed):,} transcripts; table {table.stat().st_size / 1e6:.1f} MB, "
              f"written in {time.perf_counter() - began:.1f} s")  # fmt: skip
        parses, loads = [parse_s], []
        for run in range(args.runs):
            load_s, loaded = _timed(read_transcript_table, table)
            assert list(loaded.items()) == list(parsed.items())
            loads.append(load_s)
            if run:
                parses.append(_timed(parse_gff3, gff3)[0])
            print(f"run {run + 1}: parse {parses[-1]:.2f} s, load {load_s:.2f} s")
        del loaded
        print(f"median: parse {statistics.median(parses):.2f} s, load {statistics.median(loads):.2f} s, "
              f"{statistics.median(parses) / statistics.median(loads):.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
