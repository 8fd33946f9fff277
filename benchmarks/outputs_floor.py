"""Benchmark: what writing the report's per-variant outputs costs in Python, with no science.

Issue 12 asks for the somatic report at <= 5x the CPU of a pysam read of the same VCF. This
measures how much of that budget the outputs alone take. Paired children on the same synthetic
VCF (made by ``report_vs_read``; pass its work folder):

- *floor*: ``report_vs_read.floor``, the pysam read touching CSQ, FILTER and the tumour's AD/DP;
- *outputs*: the same read, plus CHROM/POS/REF/ALT and the first CSQ block split by ``|``,
  writing per variant only what the report must write for it: a 32-column tiers TSV row, a
  52-column MAF row, the HTML table's JSON row, and the interpretation input's variant and call
  elements (compact sorted JSON, gzip level 6). No picking, no evidence, tier, oncogenicity,
  metrics, sorting or spilling: constant strings stand in for them. It is a lower bound for
  any pure-Python report that writes these files one row per variant;
- *columnar* (with ``--polars``): the same outputs from columns, the way a columnar lane would
  make them: ``bcftools query`` (pysam's, in process) for the fields, polars (not a dependency:
  ``pip install polars`` first) to split CSQ and AD, build the rows and write them, JSON
  elements by polars, gzip'd by Python. Everything is held in memory at once (no batches), so
  its CPU is a lower bound too and its RSS means nothing.

    .venv/bin/python benchmarks/outputs_floor.py [--sizes 100000,1000000] [--runs 3] [--polars]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from report_vs_read import _child_run, child_env, floor

_TIER_IV = ("IV", "no tiering evidence", "VUS", "0", "", "", "", "", "")


def outputs(vcf: Path, out: Path) -> dict[str, object]:
    """The floor's read plus one row of each per-variant output (see the module docstring)."""
    import gzip

    import pysam

    dump = json.JSONEncoder(separators=(",", ":"), sort_keys=True).encode
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    with (
        pysam.VariantFile(str(vcf)) as vf,
        (out / "tiers.tsv").open("w") as tsv,
        (out / "variants.maf").open("w") as maf,
        (out / "table.jsonl").open("w") as table,
        gzip.open(out / "interpretation.json.gz", "wt", compresslevel=6) as calls,
    ):
        for rec in vf:
            n += 1
            csq = rec.info.get("CSQ")
            b = csq[0].split("|") if csq else [""] * 12
            filt = "PASS" if "PASS" in rec.filter else ";".join(rec.filter.keys())
            sample = rec.samples[0]
            ad, dp = sample.get("AD"), sample.get("DP") or 0
            alt_depth = ad[1] if ad and len(ad) > 1 and ad[1] is not None else 0
            vaf = round(alt_depth / dp, 4) if dp else None
            chrom, pos, ref, alt = rec.chrom, rec.pos, rec.ref, rec.alts[0] if rec.alts else "."
            kind = "SNV" if len(ref) == len(alt) == 1 else "indel"
            gene, term, impact, tx, hgvsc, hgvsp = b[3], b[1], b[2], b[6], b[10], b[11]
            p, d, a, v = str(pos), str(dp), str(alt_depth), str(vaf)
            tsv.write("\t".join(("S", chrom, p, ref, alt, kind, gene, term, impact, tx, hgvsc, hgvsp,
                                 f"{gene}:{tx}:{term}:{hgvsp}", *_TIER_IV, "", "", d, a, v, "", "", "", "",
                                 "", "", filt)) + "\n")  # fmt: skip
            maf.write("\t".join((gene, "0", ".", "GRCh37", chrom, p, p, "+", term, kind, ref, ref, alt, "", "",
                                 "TUMOR", "NORMAL", ref, ref, "", "", "", "", "", "", "", "Somatic", "", "", "",
                                 "", "", "", "", hgvsc, hgvsp, tx, "", d, a, str(dp - alt_depth), "", "", "",
                                 term, term, impact, "", "", filt, p, "")) + "\n")  # fmt: skip
            table.write(dump([f"{chrom}:{p}:{ref}>{alt}", gene, 0, hgvsp, "IV", 0, vaf, dp, 0]) + "\n")
            calls.write(dump({"alt": alt, "alt_depth": alt_depth, "chrom": chrom, "depth": dp, "filter_pass": filt == "PASS",
                              "line": n, "pos": pos, "ref": ref, "vaf": vaf,
                              "consequence": {"gene": gene, "impact": impact, "terms": [term], "transcript": tx,
                                              "hgvsc": hgvsc, "hgvsp": hgvsp}}) + ",")  # fmt: skip
            calls.write(dump({"key": f"{chrom}:{p}:{ref}>{alt}", "tier": "IV", "reason": "no tiering evidence",
                              "oncogenicity": {"label": "VUS", "score": 0, "codes": []}}) + ",")  # fmt: skip
    return {"records": n}


def columnar(vcf: Path, out: Path) -> dict[str, object]:
    """The same outputs made column-wise with polars (see the module docstring)."""
    import gzip
    import io

    import polars as pl
    import pysam.bcftools

    out.mkdir(parents=True, exist_ok=True)
    text = pysam.bcftools.query("-f", "%CHROM\t%POS\t%REF\t%ALT\t%FILTER\t%CSQ[\t%AD\t%DP]\n", str(vcf))
    names = ["chrom", "pos", "ref", "alt", "filter", "csq", "ad", "dp", "normal_ad", "normal_dp"]
    df = pl.read_csv(io.StringIO(text), separator="\t", has_header=False, quote_char=None, infer_schema=False,
                     new_columns=names)  # fmt: skip
    del text
    block, ad, lit = pl.col("csq").str.split(",").list.first().str.split("|"), pl.col("ad").str.split(","), pl.lit
    fields = {"gene": 3, "term": 1, "impact": 2, "tx": 6, "hgvsc": 10, "hgvsp": 11}
    df = df.with_columns(**{k: block.list.get(i) for k, i in fields.items()},
                         alt_depth=ad.list.get(1).cast(pl.Int64), depth=pl.col("dp").cast(pl.Int64))  # fmt: skip
    snv = (pl.col("ref").str.len_bytes() == 1) & (pl.col("alt").str.len_bytes() == 1)
    df = df.with_columns(vaf=(pl.col("alt_depth") / pl.col("depth")).round(4),
                         kind=pl.when(snv).then(lit("SNV")).otherwise(lit("indel")))  # fmt: skip

    def blanks(prefix: str, n: int) -> list[pl.Expr]:
        return [lit("").alias(f"{prefix}{i}") for i in range(n)]

    effects = pl.concat_str(["gene", "tx", "term", "hgvsp"], separator=":").alias("effects")
    tier = [lit(v).alias(f"tier{i}") for i, v in enumerate(_TIER_IV[:4])]
    df.select(lit("S").alias("sample"), "chrom", "pos", "ref", "alt", "kind", *fields, effects, *tier,
              *blanks("e", 8), "depth", "alt_depth", "vaf", *blanks("f", 6), "filter").write_csv(
        out / "tiers.tsv", separator="\t", include_header=False, quote_style="necessary")  # fmt: skip
    df.select("gene", lit("0").alias("m0"), lit(".").alias("m1"), lit("GRCh37").alias("m2"), "chrom", "pos",
              pl.col("pos").alias("end"), lit("+").alias("m3"), "term", "kind", "ref", pl.col("ref").alias("ref2"),
              "alt", *blanks("g", 20), "hgvsc", "hgvsp", "tx", "depth", "alt_depth",
              (pl.col("depth") - pl.col("alt_depth")).alias("ref_depth"), *blanks("h", 10), "filter").write_csv(
        out / "variants.maf", separator="\t", include_header=False, quote_style="necessary")  # fmt: skip
    key = pl.concat_str(["chrom", lit(":"), "pos", lit(":"), "ref", lit(">"), "alt"])
    df.select(pl.concat_list([key, "gene", "hgvsp"]).alias("row")).write_ndjson(out / "table.jsonl")
    calls = df.select(pl.struct("alt", "alt_depth", "chrom", "depth", pl.col("filter").eq("PASS").alias("filter_pass"),
                                pl.col("pos").cast(pl.Int64), "ref", "vaf",
                                pl.struct(*fields).alias("consequence")).struct.json_encode().alias("json"))  # fmt: skip
    with gzip.open(out / "interpretation.json.gz", "wb", compresslevel=6) as gz:
        gz.write(",".join(calls["json"].to_list()).encode())
    return {"records": len(df)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/oncodrop-bench-report-vs-read"))
    parser.add_argument("--polars", action="store_true", help="also time the columnar (polars) child")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *paths = args.child
        if kind == "floor":
            result = floor(Path(paths[0]))
        else:
            result = (outputs if kind == "outputs" else columnar)(Path(paths[0]), Path(paths[1]))
        print(json.dumps(result))
        return
    pycache = tempfile.TemporaryDirectory(prefix="oncodrop-outputs-floor-pycache-")
    env = child_env(Path(pycache.name))
    for size in (int(s) for s in args.sizes.split(",")):
        vcf = args.workdir / f"synthetic-{size}.vcf.gz"
        if not vcf.exists():
            raise SystemExit(f"{vcf} is missing: run report_vs_read.py --sizes {size} first")
        kinds = ("outputs", "columnar") if args.polars else ("outputs",)
        floors: list[float] = []
        cpu: dict[str, list[float]] = {k: [] for k in kinds}
        for _ in range(args.runs):
            floors.append(_child_run(__file__, env, "floor", str(vcf)).cpu_s)
            for kind in kinds:
                cpu[kind].append(_child_run(__file__, env, kind, str(vcf), str(args.workdir / f"{kind}-{size}")).cpu_s)
        base = statistics.median(floors)
        print(f"{size}: floor {base:.2f} s CPU; " + "; ".join(
            f"{k} {statistics.median(v):.2f} s CPU = {statistics.median(v) / base:.1f}x" for k, v in cpu.items())
            + f" (medians of {args.runs})")  # fmt: skip


if __name__ == "__main__":
    main()
