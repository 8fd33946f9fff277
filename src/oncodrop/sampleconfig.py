"""The sample config: the TOML inside every tarball, as a validated pydantic model.

Our own layout mirrors the sections below. PCGR's TOMLs (v0.5.3 … v0.9) are translated into
it by ``oncodrop.pcgr_toml`` (owned by the intake work); this module is the single schema the
reporter reads. Documented in ``docs/config.md``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SampleSection(_Section):
    id: str | None = None  # defaults to "{sample_batch}-{id6}" from the object key
    genome_build: Literal["grch37", "grch38"] | None = None  # None: inferred from the VCF header
    tumor_site: str | None = None  # primary site, e.g. "Breast", "Colon/Rectum"; None = any
    tumor_only: bool = False


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


class CnaSection(_Section):
    log_r_gain: float = 0.8  # PCGR 0.x logR_gain
    log_r_homdel: float = -0.8  # PCGR 0.x logR_homdel
    amplification_min_cn: int = Field(default=5, ge=3)  # absolute CN (PCGR 2.x n_copy_gain)
    overlap_pct: float = Field(default=50, gt=0, le=100)  # min % of a gene covered by a segment


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


class SampleConfig(_Section):
    sample: SampleSection = SampleSection()
    assay: AssaySection = AssaySection()
    tumor: TumorSection = TumorSection()
    allelic_support: AllelicSupportSection = AllelicSupportSection()
    cna: CnaSection = CnaSection()
    msi: MsiSection = MsiSection()
    signatures: SignaturesSection = SignaturesSection()
    germline: GermlineSection = GermlineSection()
    source_format: str = "oncodrop"  # or "pcgr-0.5.3" etc. when translated from a PCGR TOML
