"""A second version of the demo bundle, made from the first by code: the known answer of
re-interpretation (docs/reinterpretation.md).

``revise_demo_bundle`` copies a demo bundle and makes exactly three knowledge changes, as a
monthly CIViC/ClinVar release might:

* one CIViC-style evidence item added (``ADDED_EVIDENCE``): TP53 R273H, level A predictive
  evidence in melanoma, which lifts the demo melanoma's TP53 R273H from Tier III to Tier I;
* one ClinVar record reclassified: MSH6 2:48033421 G>A, Uncertain significance (1 star) ->
  Likely pathogenic (2 stars, multiple submitters), which moves a germline VUS to LP;
* one evidence item retired (``RETIRED_EVIDENCE``): EID95, BRAF V600E dabrafenib+trametinib
  in melanoma (other items still give BRAF V600E its Tier I and both therapies).

The added item is synthetic (its id is not a CIViC id); the bundle stays labelled demo.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from pathlib import Path

from oncodrop.demo.bundle import _SOURCE_OF, DEMO_VERSION
from oncodrop.errors import BundleError
from oncodrop.refdata.genome import compile_vcf
from oncodrop.refdata.manifest import catalogue_files, read_manifest, write_manifest

REVISED_VERSION = DEMO_VERSION.replace("2026.11", "2026.12")
ADDED_EVIDENCE = "EID900001"
RETIRED_EVIDENCE = "EID95"
RECLASSIFIED = ("2", 48033421, "G", "A")  # MSH6, VUS -> Likely pathogenic
_ADDED_ROW = (
    f"{ADDED_EVIDENCE}\tTP53\tTP53 R273H\tMelanoma\tSkin\tEprenetapopt\tPredictive\tSupports\t"
    "Sensitivity/Response\tA\t4\tPMID:00000000\tCIViC\tgrch37\t17\t7577120\t7577120\tC\tT\t"
    "p.R273H\t273\t\tmissense\tSomatic"
)
_OLD_CLNSIG = "CLNSIG=Uncertain_significance;CLNREVSTAT=criteria_provided,_single_submitter"
_NEW_CLNSIG = "CLNSIG=Likely_pathogenic;CLNREVSTAT=criteria_provided,_multiple_submitters,_no_conflicts"


def revise_demo_bundle(base: Path, out: Path, version: str = REVISED_VERSION) -> Path:
    """Write the revised demo bundle at ``out`` (must not exist) and return ``out``."""
    if out.exists():
        raise BundleError(f"{out} exists; choose a new folder for the revised demo bundle")
    shutil.copytree(base, out)
    _revise_evidence(out / "knowledge" / "evidence.tsv")
    _revise_clinvar(out / "clinvar" / "clinvar.grch37.vcf.gz")
    manifest = read_manifest(out)
    extra = dict(manifest.model_extra or {})
    extra["revised_from"] = manifest.version
    revised = manifest.model_validate({
        **manifest.model_dump(mode="json"), **extra, "version": version,
        "files": catalogue_files(out, dict(_SOURCE_OF)),
    })  # fmt: skip
    write_manifest(out, revised)
    return out


def _revise_evidence(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith(f"{RETIRED_EVIDENCE}\t")]
    if len(kept) != len(lines) - 1:
        raise BundleError(f"{path} does not hold {RETIRED_EVIDENCE} once; is it the demo bundle?")
    path.write_text("\n".join([*kept, _ADDED_ROW]) + "\n", encoding="utf-8")


def _revise_clinvar(path: Path) -> None:
    chrom, pos, ref, alt = RECLASSIFIED
    out_lines, changed = [], 0
    for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines():
        fields = line.split("\t")
        if not line.startswith("#") and fields[0] == chrom and fields[1] == str(pos) and fields[3:5] == [ref, alt]:
            line, changed = line.replace(_OLD_CLNSIG, _NEW_CLNSIG), changed + (_OLD_CLNSIG in line)
        out_lines.append(line)
    if changed != 1:
        raise BundleError(f"{path} has no VUS record at {chrom}:{pos}; is it the demo bundle?")
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        plain = Path(tmp) / "clinvar.vcf"
        plain.write_text("\n".join(out_lines) + "\n", encoding="utf-8")
        for stale in (path, Path(f"{path}.tbi")):
            stale.unlink(missing_ok=True)
        compile_vcf(plain, path)
