"""Every key of PCGR's TOML (v0.5.3 … v0.9), which versions had it, and what we do with it.

Read this table to review the translation. Actions:

- ``map``: the value goes to our field ``target`` (validated by our model, so types are checked);
- ``tag``: an INFO tag name for ``target``; ``""`` and PCGR's ``"_na"`` mean none;
- ``ignore``: accepted and recorded as a note: tool plumbing (VEP/vcfanno forks, themes) or a
  display choice that does not change which variants are reported or how they are classified;
- ``tumor_only_filter``: a germline filter PCGR applies only in tumour-only mode. Inert (noted)
  for a tumour/normal sample; rejected when the sample is tumour-only and the filter is on,
  because we do not implement it and the report would silently keep germline calls;
- ``special``: handled by code in ``pcgr_toml`` (tier model, tumour type).

Versions are families: "0.5" is v0.5.x, "0.7" the 2018 development line, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Action = Literal["map", "tag", "ignore", "tumor_only_filter", "special"]

VERSIONS: tuple[str, ...] = ("0.5", "0.6", "0.7", "0.8", "0.9")
LABELS: dict[str, str] = {
    "0.5": "pcgr-0.5.3", "0.6": "pcgr-0.6", "0.7": "pcgr-0.7", "0.8": "pcgr-0.8", "0.9": "pcgr-0.9",
}  # fmt: skip
_CORE = frozenset({"tumor_only", "allelic_support", "other"})
_ANALYSES = frozenset({"mutational_burden", "cna", "msi", "mutational_signatures"})
# the sections each version's template has; picks the best label among key-compatible versions
SECTIONS: dict[str, frozenset[str]] = {
    "0.5": _CORE | _ANALYSES,
    "0.6": _CORE | _ANALYSES | {"tier_model", "tumor_type", "visual"},
    "0.7": _CORE | _ANALYSES | {"tier_model", "tumor_type", "visual", "custom_tags"},
    "0.8": _CORE | _ANALYSES | {"tumor_type", "visual", "custom_tags"},
    "0.9": _CORE | {"visual", "custom_tags"},
}


@dataclass(frozen=True, slots=True)
class PcgrKey:
    section: str
    key: str
    span: str  # the versions that had the key: "0.5-0.9", or one version "0.8"
    action: Action
    target: str = ""  # "section.field" in our layout, for map/tag
    note: str = ""  # why it is ignored, for ignore/tumor_only_filter

    def versions(self) -> frozenset[str]:
        since, _, until = self.span.partition("-")
        return frozenset(VERSIONS[VERSIONS.index(since) : VERSIONS.index(until or since) + 1])


_POP = "per-population threshold; oncodrop filters on one population AF (maf_gnomad_global)"
_TONLY = "germline filter of PCGR's tumour-only mode; not applied by oncodrop"
_PLUMB = "PCGR/VEP/vcfanno runtime option; no effect on oncodrop's results"

PCGR_KEYS: tuple[PcgrKey, ...] = (
    PcgrKey("tier_model", "tier_model", "0.6-0.7", "special"),
    PcgrKey("tumor_only", "vcf_tumor_only", "0.5-0.8", "map", "sample.tumor_only"),
    *(PcgrKey("tumor_only", f"maf_onekg_{p}", "0.5-0.9", "ignore", note=_POP)
      for p in ("eur", "amr", "afr", "sas", "eas", "global")),
    *(PcgrKey("tumor_only", f"maf_gnomad_{p}", "0.5-0.9", "ignore", note=_POP)
      for p in ("nfe", "amr", "afr", "sas", "eas", "fin", "oth")),
    PcgrKey("tumor_only", "maf_gnomad_asj", "0.7-0.9", "ignore", note=_POP),
    PcgrKey("tumor_only", "maf_gnomad_global", "0.5-0.9", "map",
            "germline_filter.max_population_af"),
    PcgrKey("tumor_only", "exclude_dbsnp_nonclinical", "0.5-0.7", "tumor_only_filter", note=_TONLY),
    PcgrKey("tumor_only", "keep_known_tcga", "0.5-0.7", "ignore",
            note="only relaxes exclude_dbsnp_nonclinical, which oncodrop does not apply"),
    PcgrKey("tumor_only", "tcga_recurrence", "0.5-0.7", "ignore",
            note="only relaxes exclude_dbsnp_nonclinical, which oncodrop does not apply"),
    PcgrKey("tumor_only", "exclude_noncoding", "0.5-0.7", "tumor_only_filter", note=_TONLY),
    *(PcgrKey("tumor_only", key, "0.8-0.9", "tumor_only_filter", note=_TONLY)
      for key in ("exclude_pon", "exclude_likely_hom_germline", "exclude_likely_het_germline",
                  "exclude_dbsnp_nonsomatic", "exclude_nonexonic")),
    PcgrKey("allelic_support", "tumor_dp_tag", "0.5-0.9", "tag", "allelic_support.tumor_dp_tag"),
    PcgrKey("allelic_support", "tumor_af_tag", "0.5-0.9", "tag", "allelic_support.tumor_af_tag"),
    PcgrKey("allelic_support", "call_conf_tag", "0.5-0.9", "tag", "allelic_support.call_conf_tag"),
    PcgrKey("allelic_support", "normal_dp_tag", "0.5-0.7", "tag", "allelic_support.normal_dp_tag"),
    PcgrKey("allelic_support", "normal_af_tag", "0.5-0.7", "tag", "allelic_support.normal_af_tag"),
    PcgrKey("allelic_support", "control_dp_tag", "0.8-0.9", "tag", "allelic_support.normal_dp_tag"),
    PcgrKey("allelic_support", "control_af_tag", "0.8-0.9", "tag", "allelic_support.normal_af_tag"),
    PcgrKey("allelic_support", "tumor_dp_min", "0.6-0.8", "map", "allelic_support.tumor_dp_min"),
    PcgrKey("allelic_support", "tumor_af_min", "0.6-0.8", "map", "allelic_support.tumor_af_min"),
    PcgrKey("allelic_support", "normal_dp_min", "0.6-0.7", "map", "allelic_support.normal_dp_min"),
    PcgrKey("allelic_support", "normal_af_max", "0.6-0.7", "map", "allelic_support.normal_af_max"),
    PcgrKey("allelic_support", "control_dp_min", "0.8", "map", "allelic_support.normal_dp_min"),
    PcgrKey("allelic_support", "control_af_max", "0.8", "map", "allelic_support.normal_af_max"),
    PcgrKey("mutational_burden", "mutational_burden", "0.6-0.8", "ignore",
            note="oncodrop always computes TMB when its preconditions hold"),
    PcgrKey("mutational_burden", "target_size_mb", "0.5-0.8", "map", "assay.target_size_mb"),
    PcgrKey("mutational_burden", "tmb_low_limit", "0.7-0.8", "map", "tmb.low_limit"),
    PcgrKey("mutational_burden", "tmb_intermediate_limit", "0.7-0.8", "map",
            "tmb.intermediate_limit"),
    PcgrKey("cna", "logR_gain", "0.5-0.8", "map", "cna.log_r_gain"),
    PcgrKey("cna", "logR_homdel", "0.5-0.8", "map", "cna.log_r_homdel"),
    PcgrKey("cna", "cna_overlap_pct", "0.6-0.8", "map", "cna.overlap_pct"),
    PcgrKey("msi", "msi", "0.5-0.8", "map", "msi.enabled"),
    PcgrKey("mutational_signatures", "mutsignatures", "0.5-0.8", "map", "signatures.enabled"),
    PcgrKey("mutational_signatures", "mutsignatures_signature_limit", "0.5-0.8", "map",
            "signatures.max_signatures"),
    PcgrKey("mutational_signatures", "mutsignatures_mutation_limit", "0.5-0.8", "map",
            "signatures.min_snvs"),
    PcgrKey("mutational_signatures", "mutsignatures_normalization", "0.5-0.8", "ignore",
            note="deconstructSigs trinucleotide normalisation; oncodrop fits COSMIC SBS itself"),
    PcgrKey("mutational_signatures", "mutsignatures_cutoff", "0.6-0.8", "ignore",
            note="deconstructSigs weight cutoff; oncodrop reports its own fitted contributions"),
    PcgrKey("tumor_type", "type", "0.8", "special"),
    PcgrKey("visual", "report_theme", "0.6-0.9", "ignore", note="report colour theme"),
    PcgrKey("custom_tags", "custom_tags", "0.7-0.9", "ignore",
            note="extra INFO tags are not copied into oncodrop's tables"),
    PcgrKey("other", "vcf_validation", "0.6-0.7", "ignore", note=_PLUMB),
    PcgrKey("other", "list_noncoding", "0.5-0.9", "ignore",
            note="display option of PCGR's HTML report"),
    PcgrKey("other", "n_vcfanno_proc", "0.5-0.9", "ignore", note=_PLUMB),
    PcgrKey("other", "n_vep_forks", "0.5-0.9", "ignore", note=_PLUMB),
    PcgrKey("other", "vep_skip_intergenic", "0.5-0.9", "ignore", note=_PLUMB),
    PcgrKey("other", "vep_pick_order", "0.8-0.9", "ignore",
            note="oncodrop uses VEP's PICK flag when present, else MANE/canonical/most severe"),
    PcgrKey("other", "vcf2maf", "0.7-0.9", "ignore", note="oncodrop always writes a MAF"),
)  # fmt: skip

# boolean-per-type [tumor_type] entries (PCGR 0.6/0.7) are keyed by type name, see pcgr_sites
TUMOR_TYPE_FLAGS = ("0.6", "0.7")
BY_KEY: dict[tuple[str, str], PcgrKey] = {(k.section, k.key): k for k in PCGR_KEYS}
PCGR_SECTIONS: frozenset[str] = frozenset(k.section for k in PCGR_KEYS)
