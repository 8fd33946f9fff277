"""Which genes a germline report covers: a bundle panel, a user gene list, secondary findings.

The sample config picks (``[germline] panel = "…"`` or ``genes = [...]``); the bundle holds
the panels with each gene's disease mechanism (LoF/GoF) and mode of inheritance, which PVS1
needs. ``DEFAULT_PANELS`` says which bundle panel "default" means, first present wins.
Secondary findings (ACMG SF genes outside the panel) are added only when the config opts in.
"""

from __future__ import annotations

from dataclasses import dataclass

from oncodrop.errors import BundleError, InputRejected, ReasonCode
from oncodrop.refdata.bundle import Bundle, PanelGene
from oncodrop.sampleconfig import GermlineSection

DEFAULT_PANELS: tuple[str, ...] = ("cpsr_default", "default")
UNKNOWN_MECHANISM = "unknown"


@dataclass(frozen=True, slots=True)
class GenePanel:
    """The genes of one report: panel genes plus (opt-in) secondary-finding genes."""

    name: str  # bundle panel name, or "custom" for an explicit gene list
    genes: tuple[PanelGene, ...]
    secondary: tuple[str, ...] = ()  # ACMG SF genes not in ``genes``; empty unless opted in
    source: str = "bundle"  # bundle | sample config
    # the secondary genes' mechanism/inheritance from any bundle panel that lists them, so a
    # BRCA2 frameshift gets PVS1 as a secondary finding exactly as it does in a panel
    secondary_genes: tuple[PanelGene, ...] = ()

    @property
    def symbols(self) -> frozenset[str]:
        return frozenset(g.symbol for g in self.genes)

    @property
    def all_symbols(self) -> frozenset[str]:
        return self.symbols | frozenset(self.secondary)

    def mechanism(self, symbol: str) -> str:
        """LoF | GoF | both | unknown, for panel and secondary-finding genes alike (a secondary
        gene no bundle panel describes is ``unknown``)."""
        for gene in (*self.genes, *self.secondary_genes):
            if gene.symbol == symbol:
                return gene.mechanism
        return UNKNOWN_MECHANISM


def _default_name(bundle: Bundle) -> str:
    available = bundle.panels()
    for name in DEFAULT_PANELS:
        if name in available:
            return name
    raise BundleError(
        f"bundle {bundle.name} {bundle.version} has no default germline panel "
        f"(looked for {', '.join(DEFAULT_PANELS)}); available: {', '.join(available) or 'none'}"
    )


def _known_genes(bundle: Bundle) -> dict[str, PanelGene]:
    """Every gene of every bundle panel (first panel wins), for mechanism look-up."""
    known: dict[str, PanelGene] = {}
    for name in bundle.panels():
        for gene in bundle.panel(name):
            known.setdefault(gene.symbol, gene)
    return known


def _custom_panel(bundle: Bundle, symbols: tuple[str, ...]) -> tuple[PanelGene, ...]:
    known = _known_genes(bundle)
    wanted = dict.fromkeys(s.strip().upper() for s in symbols if s.strip())
    return tuple(
        known.get(s, PanelGene(s, UNKNOWN_MECHANISM, UNKNOWN_MECHANISM)) for s in wanted
    )


def select_panel(bundle: Bundle, section: GermlineSection) -> GenePanel:
    """The panel the sample config asks for; an explicit gene list overrides the panel name.

    ``InputRejected("bad_config", field="germline.panel")`` names the bundle's panels when
    the requested one does not exist.
    """
    if section.genes:
        genes = _custom_panel(bundle, section.genes)
        name, source = "custom", "sample config"
    else:
        name = _default_name(bundle) if section.panel == "default" else section.panel
        if name not in bundle.panels():
            raise InputRejected(
                ReasonCode.BAD_CONFIG,
                f"[germline] panel = {section.panel!r} is not a panel of reference bundle "
                f"{bundle.name} {bundle.version}; use one of: default, "
                f"{', '.join(bundle.panels()) or '(none)'}, or list genes in [germline] genes",
                field="germline.panel",
            )
        genes, source = bundle.panel(name), "bundle"
    secondary: tuple[str, ...] = ()
    secondary_genes: tuple[PanelGene, ...] = ()
    if section.secondary_findings:
        in_panel = {g.symbol for g in genes}
        secondary = tuple(s for s in bundle.acmg_sf_genes() if s not in in_panel)
        known = _known_genes(bundle)
        secondary_genes = tuple(known[s] for s in secondary if s in known)
    return GenePanel(name=name, genes=genes, secondary=secondary, source=source,
                     secondary_genes=secondary_genes)  # fmt: skip
