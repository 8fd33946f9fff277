"""Proposed aetiology of COSMIC v3.4 SBS signatures, as a table (COSMIC signature pages)."""

from __future__ import annotations

_ARTEFACT = "possible sequencing artefact"
_MMR = "defective DNA mismatch repair (MMR)"

SBS_AETIOLOGY: dict[str, str] = {
    "SBS1": "clock-like (spontaneous 5-methylcytosine deamination)",
    "SBS2": "APOBEC cytidine deaminase activity",
    "SBS3": "homologous recombination deficiency (e.g. BRCA1/2)",
    "SBS4": "tobacco smoking",
    "SBS5": "clock-like (unknown mechanism)",
    "SBS6": _MMR,
    "SBS7a": "ultraviolet light exposure",
    "SBS7b": "ultraviolet light exposure",
    "SBS7c": "ultraviolet light exposure",
    "SBS7d": "ultraviolet light exposure",
    "SBS9": "polymerase eta somatic hypermutation",
    "SBS10a": "polymerase epsilon (POLE) exonuclease domain mutation",
    "SBS10b": "polymerase epsilon (POLE) exonuclease domain mutation",
    "SBS10c": "polymerase delta (POLD1) proofreading defect",
    "SBS10d": "polymerase delta (POLD1) proofreading defect",
    "SBS11": "temozolomide treatment",
    "SBS13": "APOBEC cytidine deaminase activity",
    "SBS14": "concurrent POLE mutation and defective mismatch repair",
    "SBS15": _MMR,
    "SBS18": "reactive oxygen species damage",
    "SBS20": "concurrent POLD1 mutation and defective mismatch repair",
    "SBS21": _MMR,
    "SBS22a": "aristolochic acid exposure",
    "SBS22b": "aristolochic acid exposure",
    "SBS24": "aflatoxin exposure",
    "SBS25": "chemotherapy treatment",
    "SBS26": _MMR,
    "SBS29": "tobacco chewing",
    "SBS30": "defective base excision repair (NTHL1)",
    "SBS31": "platinum chemotherapy",
    "SBS32": "azathioprine treatment",
    "SBS35": "platinum chemotherapy",
    "SBS36": "defective base excision repair (MUTYH)",
    "SBS38": "indirect effect of ultraviolet light",
    "SBS42": "occupational exposure to haloalkanes",
    "SBS44": _MMR,
    "SBS84": "activation-induced cytidine deaminase (AID) activity",
    "SBS85": "indirect effect of activation-induced cytidine deaminase (AID)",
    "SBS86": "unknown chemotherapy treatment",
    "SBS87": "thiopurine chemotherapy",
    "SBS88": "colibactin exposure (E. coli pks+)",
    "SBS90": "duocarmycin exposure",
    "SBS92": "tobacco smoking",
    "SBS99": "melphalan exposure",
}
ARTEFACT_SIGNATURES = frozenset({"SBS27", "SBS43", "SBS95"} | {f"SBS{n}" for n in range(45, 61)})


def aetiology(signature: str) -> str:
    """The proposed aetiology of a COSMIC SBS signature, "unknown" when COSMIC has none."""
    if signature in ARTEFACT_SIGNATURES:
        return _ARTEFACT
    return SBS_AETIOLOGY.get(signature, "unknown")
