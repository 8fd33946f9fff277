"""A worker SIGKILLed mid-job loses nothing: the lease expires, another worker finishes the job,
and exactly one output exists. Real ``oncodrop serve``, real reporter."""

from __future__ import annotations

import os
import signal
import tarfile
from pathlib import Path

import numpy as np
import pytest
from service_harness import serve
from waiting import scaled, wait_for

from oncodrop.demo.synth import write_synthetic_vcf
from oncodrop.domain.variant import Consequence, Variant
from oncodrop.intake.pack import pack_sample

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _big_sample(tmp: Path, n: int = 40_000) -> Path:
    """Enough variants that the reporter runs for a few seconds."""
    rng = np.random.default_rng(1)
    positions = np.sort(rng.choice(np.arange(1_000_000, 200_000_000), size=n, replace=False))
    bases = np.array(list("ACGT"))
    variants = []
    for pos in positions:
        ref, alt = rng.choice(bases, size=2, replace=False)
        csq = Consequence(gene="GENE1", terms=("intron_variant",), impact="MODIFIER", source="VEP")
        variants.append(Variant("1", int(pos), str(ref), str(alt), depth=100, alt_depth=30, vaf=0.3, consequence=csq))
    vcf = write_synthetic_vcf(tmp / "big.vcf.gz", variants, samples=("TUMOR",), build="grch37")
    config = tmp / "big.toml"
    config.write_text('[sample]\ngenome_build = "grch37"\n')
    return pack_sample(tmp / "big-0c0ffe-somatic.tar.gz", vcf, config, index=Path(f"{vcf}.tbi"))


def test_sigkilled_worker_mid_job_is_recovered_after_lease_expiry_with_one_output(
    tmp_path: Path, demo_bundle: Path
) -> None:
    tarball = _big_sample(tmp_path)
    env = {"ONCODROP_LEASE_S": f"{scaled(4):g}"}
    with serve(tmp_path, demo_bundle, workers=1, env=env) as served:
        (served.bucket / tarball.name).write_bytes(tarball.read_bytes())
        running = served.wait_for(tarball.name, lambda r: r.state.value == "RUNNING", timeout_s=30)
        assert running.lease_owner is not None
        worker_pid = int(running.lease_owner.split(":")[1])
        os.kill(worker_pid, signal.SIGKILL)

        done = served.wait_terminal(tarball.name, timeout_s=120)
        # while the service still runs: the killed attempt's job dir and the finished one go (the
        # ledger says SUCCEEDED a moment before the worker removes its job dir)
        wait_for(lambda: not list((tmp_path / "work").rglob("job-*")), 30, "every job dir scrubbed")
    assert done.state.value == "SUCCEEDED", done.reason
    assert done.attempts == 1  # the killed worker's attempt was handed back (not the sample's doing)
    assert done.lease_owner is None
    outputs = sorted(p.name for p in served.bucket.iterdir() if p.name.endswith("-output.tar.gz"))
    assert outputs == ["big-0c0ffe-somatic-output.tar.gz"]
    with tarfile.open(served.bucket / outputs[0]) as tar:
        assert "big-0c0ffe-somatic-output/report.html" in tar.getnames()
