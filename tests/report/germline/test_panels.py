"""Panel choice: the bundle default, a named panel, an explicit gene list, secondary findings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from oncodrop.errors import InputRejected
from oncodrop.refdata.bundle import Bundle, PanelGene
from oncodrop.report.germline.panels import select_panel
from oncodrop.sampleconfig import GermlineSection

from .conftest import PANEL


@pytest.fixture
def bundle(make_bundle: Callable[..., Path]) -> Bundle:
    lynch = (PanelGene("MLH1", "LoF", "AD"), PanelGene("MSH2", "LoF", "AD"))
    return Bundle.open(make_bundle(panels={"cpsr_default": PANEL, "lynch": lynch}))


def test_default_means_the_bundles_cpsr_default_panel(bundle: Bundle) -> None:
    panel = select_panel(bundle, GermlineSection())
    assert (panel.name, panel.source, panel.secondary) == ("cpsr_default", "bundle", ())
    assert panel.mechanism("KRAS") == "GoF" and panel.mechanism("BRCA2") == "LoF"


def test_a_named_panel_is_used_as_is(bundle: Bundle) -> None:
    assert select_panel(bundle, GermlineSection(panel="lynch")).symbols == {"MLH1", "MSH2"}


def test_explicit_genes_override_the_panel_and_keep_known_mechanisms(bundle: Bundle) -> None:
    panel = select_panel(bundle, GermlineSection(panel="lynch", genes=("brca2", "MSH2", "NEWGENE")))
    assert (panel.name, panel.source) == ("custom", "sample config")
    assert [(g.symbol, g.mechanism) for g in panel.genes] == [
        ("BRCA2", "LoF"), ("MSH2", "LoF"), ("NEWGENE", "unknown")]


def test_secondary_findings_add_acmg_sf_genes_outside_the_panel_only_when_asked(bundle: Bundle) -> None:
    assert select_panel(bundle, GermlineSection()).secondary == ()
    panel = select_panel(bundle, GermlineSection(secondary_findings=True))
    assert panel.secondary == ("NF1",)
    assert panel.all_symbols == panel.symbols | {"NF1"}


def test_unknown_panel_is_rejected_with_the_available_names(bundle: Bundle) -> None:
    with pytest.raises(InputRejected, match="use one of: default, cpsr_default, lynch") as err:
        select_panel(bundle, GermlineSection(panel="kidney"))
    assert err.value.rejection.field == "germline.panel"


def test_a_secondary_gene_keeps_the_mechanism_a_bundle_panel_gives_it(bundle: Bundle) -> None:
    # lynch panel + secondary findings: BRCA2 is an ACMG SF gene outside the panel, described
    # as LoF by cpsr_default, so PVS1 applies to its frameshifts as it does in a panel
    panel = select_panel(bundle, GermlineSection(panel="lynch", secondary_findings=True))
    assert "BRCA2" in panel.secondary and "BRCA2" not in panel.symbols
    assert panel.mechanism("BRCA2") == "LoF"
    assert panel.mechanism("NF1") == "unknown"  # no bundle panel describes it here
