"""The sample config's read thresholds (somatic mode) and its INFO tags for depth/VAF.

Per allele: ``with_config_tags`` lets INFO tags named in the config (``tumor_dp_tag``…)
override the FORMAT support, then ``threshold_failure`` names the first cut the allele
fails, which is the count its drop is recorded under.
"""

from __future__ import annotations

import pysam

from oncodrop.report.vcf.allelic import AlleleContext, Support, info_value
from oncodrop.report.vcf.plan import ReadPlan


def threshold_failure(plan: ReadPlan, tumour: Support, normal: Support | None) -> str | None:
    """Name of the first read threshold the allele fails (somatic mode), or None."""
    if plan.mode != "somatic":
        return None
    cut = plan.config.allelic_support
    if tumour.depth is not None and tumour.depth < cut.tumor_dp_min:
        return "filtered_by_depth"
    if tumour.vaf is not None and tumour.vaf < cut.tumor_af_min:
        return "filtered_by_vaf"
    if tumour.alt_depth is not None and tumour.alt_depth < cut.tumor_ad_min:
        return "filtered_by_alt_depth"
    if normal is not None:
        if normal.depth is not None and normal.depth < cut.normal_dp_min:
            return "filtered_by_normal_depth"
        if normal.vaf is not None and normal.vaf > cut.normal_af_max:
            return "filtered_by_normal_vaf"
    return None


def _with_info_tags(
    rec: pysam.VariantRecord,
    support: Support,
    dp_tag: str | None,
    af_tag: str | None,
    ctx: AlleleContext,
) -> Support:
    if not dp_tag and not af_tag:
        return support
    depth, vaf = support.depth, support.vaf
    if dp_tag and dp_tag in rec.info:
        value = info_value(rec.info[dp_tag], ctx)
        depth = int(value) if value is not None else depth
    if af_tag and af_tag in rec.info:
        value = info_value(rec.info[af_tag], ctx)
        vaf = round(value, 6) if value is not None else vaf
    alt_depth = support.alt_depth
    if alt_depth is None and depth and vaf is not None:
        alt_depth = round(depth * vaf)
    return Support(depth, alt_depth, vaf, support.ref_depth)


def with_config_tags(
    rec: pysam.VariantRecord,
    plan: ReadPlan,
    t_support: Support,
    n_support: Support | None,
    ctx: AlleleContext,
) -> tuple[Support, Support | None]:
    """Somatic mode: the sample config's INFO tags for depth/VAF override FORMAT."""
    tags = plan.config.allelic_support
    t_support = _with_info_tags(rec, t_support, tags.tumor_dp_tag, tags.tumor_af_tag, ctx)
    if n_support is not None or tags.normal_dp_tag or tags.normal_af_tag:
        n_support = _with_info_tags(rec, n_support or Support(), tags.normal_dp_tag, tags.normal_af_tag, ctx)
    return t_support, n_support
