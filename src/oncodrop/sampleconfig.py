"""The sample config: the TOML inside every tarball, as a validated pydantic model.

Our own layout mirrors the sections below. PCGR's TOMLs (v0.5.3 ... v0.9) are translated into
it by ``oncodrop.intake.pcgr_toml``; ``oncodrop.intake.config.load_config`` reads either. This
module is the single schema the reporter reads. Documented in ``docs/config.md``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# PCGR's primary tumour sites (``--tumor_site`` 1-30, the ``primary_site`` vocabulary of
# PCGR's oncotree_phenotypes.tsv). "Any" (PCGR 0) is stored as ``None``.
TUMOR_SITES: tuple[str, ...] = (
    "Adrenal Gland", "Ampulla of Vater", "Biliary Tract", "Bladder/Urinary Tract", "Bone",
    "Breast", "Cervix", "CNS/Brain", "Colon/Rectum", "Esophagus/Stomach", "Eye",
    "Head and Neck", "Kidney", "Liver", "Lung", "Lymphoid", "Myeloid", "Ovary/Fallopian Tube",
    "Pancreas", "Peripheral Nervous System", "Peritoneum", "Pleura", "Prostate", "Skin",
    "Soft Tissue", "Testis", "Thymus", "Thyroid", "Uterus", "Vulva/Vagina",
)  # fmt: skip
ANY_SITE = "Any"

_BUILD_ALIASES: dict[str, str] = {
    "grch37": "grch37", "hg19": "grch37", "b37": "grch37", "grch38": "grch38", "hg38": "grch38",
}  # fmt: skip


def canonical_tumor_site(value: str) -> str | None:
    """The canonical spelling of a site (case-insensitive), ``None`` for "Any"; ValueError else."""
    by_lower = {site.lower(): site for site in TUMOR_SITES}
    wanted = value.strip().lower()
    if wanted == ANY_SITE.lower():
        return None
    if wanted in by_lower:
        return by_lower[wanted]
    import difflib  # only for the error: not every config load pays its import

    near = difflib.get_close_matches(value, [*TUMOR_SITES, ANY_SITE], n=1, cutoff=0.5)
    hint = f" Did you mean {near[0]!r}?" if near else ""
    raise ValueError(
        f"{value!r} is not a tumour site.{hint} Use one of: {', '.join(TUMOR_SITES)}, or Any"
    )


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SampleSection(_Section):
    id: str | None = None  # defaults to "{sample_batch}-{id6}" from the object key
    genome_build: Literal["grch37", "grch38"] | None = None  # None: inferred from the VCF header
    tumor_site: str | None = None  # one of TUMOR_SITES, e.g. "Breast", "Colon/Rectum"; None = any
    tumor_only: bool = False

    @field_validator("tumor_site", mode="before")
    @classmethod
    def _site(cls, value: object) -> object:
        return canonical_tumor_site(value) if isinstance(value, str) else value

    @field_validator("genome_build", mode="before")
    @classmethod
    def _build(cls, value: object) -> object:
        return _BUILD_ALIASES.get(value.strip().lower(), value) if isinstance(value, str) else value


class AssaySection(_Section):
    type: Literal["WES", "WGS", "TARGETED"] = "WES"
    target_size_mb: float = Field(default=34.0, gt=0)  # coding target size for TMB


class TumorSection(_Section):
    purity: float | None = Field(default=None, gt=0, le=1)
    ploidy: float | None = Field(default=None, gt=0, le=8)


class AllelicSupportSection(_Section):
    """Where depth/VAF live, and read filters. Tags name INFO fields (PCGR style)."""

    tumor_dp_tag: str | None = None
    tumor_af_tag: str | None = None
    normal_dp_tag: str | None = None
    normal_af_tag: str | None = None
    call_conf_tag: str | None = None
    tumor_dp_min: int = Field(default=0, ge=0)
    tumor_af_min: float = Field(default=0.0, ge=0, le=1)
    tumor_ad_min: int = Field(default=0, ge=0)
    normal_dp_min: int = Field(default=0, ge=0)
    normal_af_max: float = Field(default=1.0, ge=0, le=1)
    pass_only: bool = True


class GermlineFilterSection(_Section):
    """Tumour-only mode: drop likely germline calls (PCGR's ``maf_gnomad_global``)."""

    max_population_af: float | None = Field(default=None, ge=0, le=1)  # None: no filter


class CnaSection(_Section):
    log_r_gain: float = 0.8  # PCGR 0.x logR_gain
    log_r_homdel: float = -0.8  # PCGR 0.x logR_homdel
    amplification_min_cn: int = Field(default=5, ge=3)  # absolute CN (PCGR 2.x n_copy_gain)
    overlap_pct: float = Field(default=50, gt=0, le=100)  # min % of a gene covered by a segment


class TmbSection(_Section):
    """TMB (PCGR 2.x ``--tmb_display``, ``--tmb_dp_min``, ``--tmb_af_min``; 0.x tertile limits)."""

    display: Literal["coding_and_silent", "coding_non_silent", "missense_only"] = (
        "coding_and_silent"
    )
    tumor_dp_min: int = Field(default=0, ge=0)
    tumor_af_min: float = Field(default=0.0, ge=0, le=1)
    low_limit: float = Field(default=5.0, ge=0)  # mutations/Mb; PCGR 0.8-0.9 tmb_low_limit
    intermediate_limit: float = Field(default=20.0, ge=0)  # PCGR tmb_intermediate_limit


class MsiSection(_Section):
    enabled: bool = True


class SignaturesSection(_Section):
    enabled: bool = True
    min_snvs: int = Field(default=100, ge=1)
    bootstrap: int = Field(default=100, ge=0)
    max_signatures: int | None = Field(default=None, ge=1)


class GermlineSection(_Section):
    panel: str = "default"  # a bundle panel name
    genes: tuple[str, ...] = ()  # an explicit gene list overrides the panel
    secondary_findings: bool = False


class ReporterSection(_Section):
    """Which engine writes the report: ours, or PCGR (tumour) / CPSR (normal) where installed."""

    backend: Literal["oncodrop", "pcgr"] = "oncodrop"  # "pcgr": PCGR for -somatic, CPSR for -normal


class ConfigNote(_Section):
    """A config key that was accepted but not applied (or translated), for the report to show."""

    section: str
    key: str
    note: str

    def __str__(self) -> str:
        return f"[{self.section}] {self.key}: {self.note}"


class SampleConfig(_Section):
    sample: SampleSection = SampleSection()
    assay: AssaySection = AssaySection()
    tumor: TumorSection = TumorSection()
    allelic_support: AllelicSupportSection = AllelicSupportSection()
    germline_filter: GermlineFilterSection = GermlineFilterSection()
    cna: CnaSection = CnaSection()
    tmb: TmbSection = TmbSection()
    msi: MsiSection = MsiSection()
    signatures: SignaturesSection = SignaturesSection()
    germline: GermlineSection = GermlineSection()
    reporter: ReporterSection = ReporterSection()
    source_format: str = "oncodrop"  # or "pcgr-0.5.3" etc. when translated from a PCGR TOML
    notes: tuple[ConfigNote, ...] = ()  # keys accepted but ignored or translated with a caveat
