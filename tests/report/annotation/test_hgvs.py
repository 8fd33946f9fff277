"""Protein HGVS conversions."""

from __future__ import annotations

import pytest

from oncodrop.report.annotation.hgvs import (
    long_form,
    protein_position,
    to_long,
    to_short,
)


@pytest.mark.parametrize(
    ("raw", "short"),
    [
        ("ENSP00000288602.6:p.Val600Glu", "p.V600E"),
        ("ENSP00000340740.4:p.Glu55GlyfsTer3", "p.E55Gfs*3"),
        ("ENSP00000329982.2:p.Thr190%3D", "p.T190="),
        ("p.Ter100GlnextTer5", "p.*100Qext*5"),
        ("p.(Gly12Asp)", "p.G12D"),
        ("p.Met1?", "p.M1?"),
        ("p.Lys745_Glu749del", "p.K745_E749del"),
        ("p.V600E", "p.V600E"),
        ("", None),
        ("ENST1:c.1799T>A", None),
    ],
)
def test_three_letter_to_one_letter(raw: str, short: str | None) -> None:
    assert to_short(raw) == short


def test_one_letter_back_to_three_letter() -> None:
    assert to_long("p.V600E") == "p.Val600Glu"
    assert to_long("p.E55Gfs*3") == "p.Glu55GlyfsTer3"
    assert to_long("p.T190=") == "p.Thr190="


def test_long_form_strips_transcript_and_escapes() -> None:
    assert long_form("ENSP1:p.Leu542%3D") == "p.Leu542="


def test_protein_position() -> None:
    assert protein_position("p.K745_E749del") == 745
    assert protein_position("p.*100Qext*5") == 100
    assert protein_position(None) is None
