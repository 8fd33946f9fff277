"""Past samples for the re-interpretation tests and benchmark: real reports in a local store.

``report_past_samples`` drops the demo tarballs (and a Lynch-panel normal carrying the MSH6
ClinVar VUS the revised demo bundle reclassifies) into a folder store, records each in the
ledger and runs it through the real pipeline and reporters with bundle v1, exactly as a worker
does (claim -> run_sample -> succeed with the bundle version).
"""

from __future__ import annotations

import tarfile
from dataclasses import dataclass
from pathlib import Path

from oncodrop.demo import drivers as d
from oncodrop.demo.samples import _config, make_demo_samples
from oncodrop.demo.synth import write_synthetic_vcf
from oncodrop.execute.package import root_name_for, write_reproducible_tarball
from oncodrop.execute.pipeline import SampleJob, run_sample
from oncodrop.intake.pack import pack_sample
from oncodrop.ledger import Ledger
from oncodrop.naming import parse_key
from oncodrop.refdata.bundle import Bundle
from oncodrop.report.registry import default_reporters
from oncodrop.store.local import LocalStore

# ClinVar 140866 (MSH6, GRCh37 2:48033421 G>A); the consequence fields are synthetic
MSH6_VUS = d.Driver("2", 48033421, "G", "A", "MSH6", "ENST00000234420", d.MISSENSE, "MODERATE",
                    "c.1?", None, None, 4, 10)  # fmt: skip
LYNCH = "demo_lynch-7a8b9c-normal.tar.gz"


@dataclass(frozen=True, slots=True)
class PastSamples:
    store: LocalStore
    store_url: str
    keys: tuple[str, ...]


def lynch_normal(out: Path) -> Path:
    """A normal with the MSH6 ClinVar VUS and CHEK2 c.1100del (pathogenic either way)."""
    name = LYNCH.removesuffix(".tar.gz")
    work = out / f".{name}"
    work.mkdir(parents=True, exist_ok=True)
    variants = [drv.variant(depth=40, vaf=0.5) for drv in (MSH6_VUS, d.CHEK2_1100DELC)]
    vcf = write_synthetic_vcf(work / f"{name}.vcf.gz", variants, samples=("NORMAL",), build="grch37")
    config = work / f"{name}.toml"
    config.write_text(_config(None, kind="normal"))
    return pack_sample(out / LYNCH, vcf, config, index=Path(f"{vcf}.tbi"))


def tarballs(bundle: Path, out: Path) -> list[Path]:
    """The three good demo drops and the Lynch normal."""
    demo = [s.path for s in make_demo_samples(out, bundle) if s.expect == "SUCCEEDED"]
    return [*demo, lynch_normal(out)]


def report_past_samples(ledger: Ledger, bundle: Path, paths: list[Path], store_dir: Path, work: Path,
                        *, prefix: str = "") -> PastSamples:  # fmt: skip
    """Upload, admit and report every tarball with ``bundle``; all must end SUCCEEDED."""
    store_dir.mkdir(parents=True, exist_ok=True)
    store = LocalStore(store_dir)
    url = store.url
    reporters = default_reporters()
    version = Bundle.open(bundle).version
    keys = []
    for path in paths:
        key = f"{prefix}{path.name}"
        info = store.put_file(path, key)
        parsed = parse_key(key)
        record, _ = ledger.admit_object(url, key, info.etag, info.size, parsed.kind, parsed.sample_id,
                                        parsed.output_key)  # fmt: skip
        claimed = ledger.claim_specific(record.id, "test-worker", 600)
        assert claimed is not None
        job = SampleJob(url, key, info.etag, parsed.kind, parsed.sample_id, parsed.output_key)
        outcome = run_sample(job, store=store, reporters=reporters, bundle=bundle, workdir=work)
        assert outcome.bundle_version == version
        ledger.succeed(record.id, "test-worker", outcome.output_key, outcome.headline, outcome.bundle_version)
        keys.append(key)
    return PastSamples(store, url, tuple(keys))


def replicate(ledger: Ledger, store_dir: Path, store_url: str, n: int, scratch: Path,
              bundle_version: str = "2026.11-demo") -> None:  # fmt: skip
    """N past samples from the four real outputs (each re-packed under its own root folder, as
    its own output would be; ledger rows as a worker writes them)."""
    records = [r for r in ledger.list_samples(limit=100)]
    unpacked: dict[str, Path] = {}
    for record in records:
        assert record.output_key is not None
        folder = scratch / record.output_key
        with tarfile.open(store_dir / record.output_key) as tar:
            tar.extractall(folder, filter="data")
        unpacked[record.key] = folder / root_name_for(record.output_key)
    for i in range(n):
        source = records[i % len(records)]
        name = source.key.rsplit("/", 1)[-1]
        _batch, id6, kind = name.removesuffix(".tar.gz").rsplit("-", 2)
        key = f"bench{i:05d}-{id6}-{kind}.tar.gz"
        parsed = parse_key(key)
        assert source.output_key is not None
        write_reproducible_tarball(unpacked[source.key], store_dir / parsed.output_key,
                                   root_name_for(parsed.output_key))
        record, _ = ledger.admit_object(store_url, key, f"bench-{i}", 1, parsed.kind, parsed.sample_id,
                                        parsed.output_key)  # fmt: skip
        ledger.claim_specific(record.id, "bench", 600)
        ledger.succeed(record.id, "bench", parsed.output_key, source.headline, bundle_version)


def assert_reinterpreted_once(ledger: Ledger, store_dir: Path, version: str = "2026.12-demo") -> None:
    """The known answer of v1 -> v2 (tests/integration/test_reinterpret.py), reached once: every
    job DONE, one change report for each of the two samples that change (the melanoma, the
    Lynch normal) and nothing else in the store, one notice each."""
    from oncodrop.domain.reinterpretation import ReinterpretState
    from oncodrop.ledger.reinterp import Reinterpretations

    jobs = Reinterpretations(ledger).jobs(bundle_version=version)
    assert len(jobs) == len(ledger.list_samples(limit=1000)), "one job per sample"
    assert [j.state for j in jobs] == [ReinterpretState.DONE] * len(jobs), [(j.sample_key, j.reason) for j in jobs]
    changed = sorted(j.sample_key for j in jobs if j.output_key is not None)
    assert changed == sorted(["demo_melanoma-a1b2c3-somatic.tar.gz", LYNCH])
    reports = sorted(p.name for p in store_dir.rglob("*-reinterpretation-*.tar.gz"))
    assert reports == sorted(j.output_key for j in jobs if j.output_key is not None)
    notices = [item.record.key for item, _ in ledger.notifications() if item.detail is not None]
    assert sorted(notices) == changed
