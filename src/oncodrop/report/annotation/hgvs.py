"""Protein HGVS notation: three-letter to one-letter (``p.Gly12Asp`` -> ``p.G12D``) and back.

Annotators write ``ENSP…:p.Gly12Asp`` with ``=`` escaped as ``%3D``; the knowledge base and the
reports use the short one-letter form without the transcript, as PCGR does.
"""

from __future__ import annotations

import re

# Amino-acid codes (IUPAC), three-letter -> one-letter; Ter is the stop codon.
AMINO_ACIDS: dict[str, str] = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
    "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
    "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Sec": "U",
    "Pyl": "O", "Xaa": "X", "Ter": "*",
}  # fmt: skip
ONE_TO_THREE: dict[str, str] = {one: three for three, one in AMINO_ACIDS.items()}

_THREE = re.compile("|".join(AMINO_ACIDS))
_ONE = re.compile(r"[ACDEFGHIKLMNPQRSTVWYUOX*]")
_POSITION = re.compile(r"^p\.\D*?(\d+)")
_ESCAPES = {"%3D": "=", "%3B": ";", "%2C": ",", "%7C": "|", "%25": "%"}


def unescape(value: str) -> str:
    """Undo the percent-escapes VEP uses inside INFO values (``%3D`` -> ``=``)."""
    if "%" not in value:
        return value
    for code, char in _ESCAPES.items():
        value = value.replace(code, char)
    return value


def strip_transcript(hgvs: str) -> str:
    """``ENSP00000288602.6:p.Val600Glu`` -> ``p.Val600Glu`` (also for ``c.``/``n.``)."""
    return hgvs.rsplit(":", 1)[-1] if ":" in hgvs else hgvs


def long_form(hgvsp: str | None) -> str | None:
    """Clean three-letter protein HGVS: no transcript, no escapes, no prediction brackets."""
    if not hgvsp:
        return None
    value = strip_transcript(unescape(hgvsp.strip()))
    if value.startswith("p.(") and value.endswith(")"):
        value = "p." + value[3:-1]
    return value if value.startswith("p.") and len(value) > 2 else None


def to_short(hgvsp: str | None) -> str | None:
    """One-letter form, ``p.Glu55GlyfsTer3`` -> ``p.E55Gfs*3``; already-short input passes."""
    return shorten(long_form(hgvsp))


def _one_letter(match: re.Match[str]) -> str:
    return AMINO_ACIDS[match.group(0)]


def shorten(long: str | None) -> str | None:
    """``to_short`` of a value already cleaned by ``long_form`` (a reader that needs both
    forms cleans once)."""
    return None if long is None else _THREE.sub(_one_letter, long)


def to_long(hgvsp_short: str | None) -> str | None:
    """Three-letter form of a one-letter ``p.`` string, ``p.V600E`` -> ``p.Val600Glu``."""
    if not hgvsp_short or not hgvsp_short.startswith("p."):
        return None
    body = hgvsp_short[2:]
    out: list[str] = []
    i = 0
    while i < len(body):
        # keep lower-case keywords (fs, del, ins, dup, ext) and digits as they are
        ch = body[i]
        if _ONE.fullmatch(ch) and not (ch.islower()):
            out.append(ONE_TO_THREE[ch])
        else:
            out.append(ch)
        i += 1
    return "p." + "".join(out)


def protein_position(hgvsp: str | None) -> int | None:
    """First amino-acid position named by a ``p.`` string (``p.V600E`` -> 600)."""
    if not hgvsp:
        return None
    match = _POSITION.match(hgvsp)
    return int(match.group(1)) if match else None
