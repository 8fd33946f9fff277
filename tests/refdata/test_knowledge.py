from __future__ import annotations

from pathlib import Path

import pytest

from oncodrop.errors import BundleError
from oncodrop.refdata.bundle import Hotspot
from oncodrop.refdata.knowledge import hotspots_from_cancerhotspots, roles_from_oncokb

HEADER = "Hugo_Symbol\tAmino_Acid_Position\tReference_Amino_Acid\tVariant_Amino_Acid\n"


def test_per_allele_hotspot_rows_are_summed_per_change(tmp_path: Path) -> None:
    """cancerhotspots v2 lists one row per amino-acid change, residue total after the colon."""
    table = tmp_path / "v2.tsv"
    table.write_text(
        HEADER + "PIK3CA\t1047\tH:1040\tR:880\nPIK3CA\t1047\tH:1040\tL:150\n"
    )
    assert hotspots_from_cancerhotspots(table) == (
        Hotspot("PIK3CA", 1047, None, 1040),
        Hotspot("PIK3CA", 1047, "p.H1047L", 150),
        Hotspot("PIK3CA", 1047, "p.H1047R", 880),
    )


def test_stop_gains_are_kept_and_splice_rows_skipped(tmp_path: Path) -> None:
    table = tmp_path / "v2.tsv"
    table.write_text(
        HEADER + "TP53\t213\tR:110\t*:100|Q:10\nTP53\tX125_splice\tT:20\tsp:20\n"
    )
    hotspots = hotspots_from_cancerhotspots(table)
    assert Hotspot("TP53", 213, "p.R213*", 100) in hotspots
    assert all(h.codon == 213 for h in hotspots)


def test_oncokb_yes_no_columns_give_roles(tmp_path: Path) -> None:
    table = tmp_path / "cancerGeneList.tsv"
    table.write_text(
        "Hugo Symbol\tIs Oncogene\tIs Tumor Suppressor Gene\n"
        "NOTCH1\tYes\tYes\nAPC\tNo\tYes\nALK\tYes\tNo\nFOO1\tNo\tNo\n"
    )
    roles = {r.symbol: r.role for r in roles_from_oncokb(table)}
    assert roles == {"NOTCH1": "both", "APC": "tumour_suppressor", "ALK": "oncogene"}


def test_a_table_in_the_wrong_layout_names_the_missing_columns(tmp_path: Path) -> None:
    table = tmp_path / "hotspots.xls.tsv"
    table.write_text("gene\tresidue\nBRAF\tV600\n")
    with pytest.raises(
        BundleError, match="hotspots.xls.tsv: line 1 lacks column.*Hugo_Symbol"
    ):
        hotspots_from_cancerhotspots(table)
