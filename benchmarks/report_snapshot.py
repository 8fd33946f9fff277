"""Snapshot the somatic reporter's outputs, and compare two snapshots (order aside).

The guard for performance work on the reporter: ``dump`` runs ``SomaticReporter`` on the PCGR
test VCFs of ``../shared/testdata`` (raw and VEP-annotated), the demo somatic samples (with
their CNA segments) and a seeded 10,000-variant synthetic VCF, and copies each run's tiers TSV,
MAF and summary JSON (plus the XLSX sheets as TSV) into a folder; ``diff`` compares two such
folders line by line, as sorted multisets of lines, after dropping what legitimately changes
between runs (timings, temporary paths). An empty diff means the reports say the same thing.

    .venv/bin/python benchmarks/report_snapshot.py dump /tmp/snap-before
    .venv/bin/python benchmarks/report_snapshot.py diff /tmp/snap-before /tmp/snap-after
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

from oncodrop.demo.bundle import build_demo_bundle
from oncodrop.demo.samples import make_demo_samples
from oncodrop.intake.config import load_config
from oncodrop.report.engine import SomaticReporter
from oncodrop.report.protocol import ReportRequest
from oncodrop.sampleconfig import AssaySection, SampleConfig, SampleSection

TESTDATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "testdata"
PCGR = (  # (VCF under testdata/pcgr, tumour site)
    ("v0.5.3/tumor_sample.BRCA.vcf.gz", "Breast"),
    ("v0.5.3/tumor_sample.COAD.vcf.gz", "Colon/Rectum"),
    ("v2.3.2/T001-COAD.grch37.vcf.gz", "Colon/Rectum"),
    ("v2.3.2/T001-BRCA.grch37.vcf.gz", "Breast"),
    ("vep-annotated/test.vcf.gz", "Colon/Rectum"),
    ("vep-annotated/test.vep85.vcf", "Colon/Rectum"),
    ("vep-annotated/tumor_sample.BRCA.vep85.vcf.gz", "Breast"),
)
VOLATILE_SUMMARY_KEYS = {"timings", "generated", "created", "path"}


def _config(site: str) -> SampleConfig:
    return SampleConfig(sample=SampleSection(tumor_site=site, genome_build="grch37"),
                        assay=AssaySection(target_size_mb=34.0))  # fmt: skip


def _run(name: str, vcf: Path, config: SampleConfig, bundle: Path, dest: Path, cna: Path | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="oncodrop-snap-") as work:
        out = Path(work)
        SomaticReporter().run(ReportRequest(vcf=vcf, config=config, bundle=bundle, out_dir=out, sample_id="S1", cna=cna))
        for produced in sorted(out.iterdir()):
            if produced.name in ("report.html", "provenance.json"):
                continue
            target = dest / f"{name}--{produced.name}"
            if produced.suffix == ".xlsx":
                _xlsx_as_text(produced, target.with_suffix(".xlsx.txt"))
            elif produced.suffix == ".gz":
                with gzip.open(produced, "rb") as src, target.with_suffix("").open("wb") as dst:
                    shutil.copyfileobj(src, dst)
            else:
                shutil.copyfile(produced, target)
    print(f"  {name}", file=sys.stderr)


def _xlsx_as_text(path: Path, target: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    with target.open("w") as fh:
        for sheet in book.worksheets:
            for cells in sheet.iter_rows(values_only=True):
                row = list(cells)
                while row and row[-1] is None:  # padding to the sheet's declared width
                    row.pop()
                cells_text = "\t".join("" if v is None else str(v) for v in row)
                fh.write(f"{sheet.title}\t{cells_text}".rstrip("\t") + "\n")
    book.close()


def dump(dest: Path, variants: int) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="oncodrop-snap-") as tmp:
        work = Path(tmp)
        bundle = build_demo_bundle(work / "bundle")
        for vcf, site in PCGR:
            _run(vcf.replace("/", "_"), TESTDATA / "pcgr" / vcf, _config(site), bundle, dest)
        for sample in make_demo_samples(work / "demo", bundle):
            if sample.expect != "SUCCEEDED" or not sample.key.endswith("-somatic.tar.gz"):
                continue
            unpacked = work / sample.key.removesuffix(".tar.gz")
            with tarfile.open(sample.path) as tar:
                tar.extractall(unpacked, filter="data")
            files = sorted(p for p in unpacked.rglob("*") if p.is_file())
            vcf_path = next(p for p in files if p.name.endswith((".vcf.gz", ".vcf")))
            toml = next(p for p in files if p.suffix == ".toml")
            cna = next((p for p in files if p.name.endswith((".tsv", ".cna.tsv"))), None)
            config = load_config(toml, sample_id_default="S1")
            _run(unpacked.name, vcf_path, config, bundle, dest, cna)
        if variants:
            sys.path.insert(0, str(Path(__file__).parent))
            from reporter import synthetic_variants  # the paired benchmark's generator

            from oncodrop.demo.synth import write_synthetic_vcf
            from oncodrop.refdata.bundle import Bundle

            vcf_path = work / f"synthetic-{variants}.vcf.gz"
            write_synthetic_vcf(vcf_path, synthetic_variants(Bundle.open(bundle), variants), build="grch37")
            config = SampleConfig(sample=SampleSection(tumor_site="Skin"), assay=AssaySection(type="WGS", target_size_mb=2800))
            _run(f"synthetic{variants}", vcf_path, config, bundle, dest)


def _drop_bundle_checksums(data: object) -> None:
    """Drop ``manifest_sha256`` from every ``bundle`` object (the summary's, and the report
    content's and interpretation's inside ``interpretation.json``)."""
    if isinstance(data, dict):
        if isinstance(data.get("bundle"), dict):
            data["bundle"].pop("manifest_sha256", None)
        for value in data.values():
            _drop_bundle_checksums(value)
    elif isinstance(data, list):
        for value in data:
            _drop_bundle_checksums(value)


def _lines(path: Path) -> list[str]:
    if path.name.endswith(".json"):
        data = json.loads(path.read_text())
        for key in VOLATILE_SUMMARY_KEYS:
            data.pop(key, None)
        _drop_bundle_checksums(data)  # each dump builds its own demo bundle
        return sorted(json.dumps(data, indent=1, sort_keys=True).splitlines())
    return sorted(path.read_text().splitlines())


def diff(before: Path, after: Path) -> int:
    names = sorted({p.name for p in before.iterdir()} | {p.name for p in after.iterdir()})
    problems = 0
    for name in names:
        a, b = before / name, after / name
        if not a.exists() or not b.exists():
            print(f"{name}: only in {'after' if not a.exists() else 'before'}")
            problems += 1
            continue
        la, lb = _lines(a), _lines(b)
        if la != lb:
            only_a, only_b = sorted(set(la) - set(lb)), sorted(set(lb) - set(la))
            print(f"{name}: {len(la)} vs {len(lb)} lines; {len(only_a)} only before, {len(only_b)} only after")
            for line in only_a[:3]:
                print(f"  - {line[:300]}")
            for line in only_b[:3]:
                print(f"  + {line[:300]}")
            problems += 1
    print(f"{len(names)} files compared, {problems} differ")
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("dest", type=Path)
    d.add_argument("--variants", type=int, default=10_000, help="synthetic VCF size (0: none)")
    c = sub.add_parser("diff")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.dest, args.variants)
    else:
        raise SystemExit(diff(args.before, args.after))


if __name__ == "__main__":
    main()
