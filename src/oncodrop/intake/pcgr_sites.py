"""PCGR 0.6-0.9 tumour-type names -> our primary tumour sites (``TUMOR_SITES``).

Rules: a type with one obvious site maps to it (mesothelioma follows PCGR's own phenotype
table, which files it under Lung); a type with no site in the 30-site vocabulary (penile,
hereditary or DNA-repair "types") maps to Any with a note, because no better choice exists; a
type that spans sites the user *can* choose between (blood cancer, leukaemia: Myeloid or
Lymphoid) is rejected, because guessing would change which evidence counts as on-label.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SiteMapping:
    site: str | None  # None: Any
    note: str = ""
    choices: tuple[str, ...] = ()  # non-empty: ambiguous, the user must pick one of these


_ANY_NOTE = "has no primary site in the 30-site vocabulary; tumour site set to Any"

PCGR_TUMOR_TYPES: dict[str, SiteMapping] = {
    "Adrenal_Gland_Cancer_NOS": SiteMapping("Adrenal Gland"),
    "Ampullary_Carcinoma_NOS": SiteMapping("Ampulla of Vater"),
    "Biliary_Tract_Cancer_NOS": SiteMapping("Biliary Tract"),
    "Bladder_Urinary_Tract_Cancer_NOS": SiteMapping("Bladder/Urinary Tract"),
    "Blood_Cancer_NOS": SiteMapping(None, choices=("Myeloid", "Lymphoid")),
    "Bone_Cancer_NOS": SiteMapping("Bone"),
    "Breast_Cancer_NOS": SiteMapping("Breast"),
    "CNS_Brain_Cancer_NOS": SiteMapping("CNS/Brain"),
    "Colorectal_Cancer_NOS": SiteMapping("Colon/Rectum"),
    "Cervical_Cancer_NOS": SiteMapping("Cervix"),
    "DNA_Repair_Deficiency_Disorders": SiteMapping(None, _ANY_NOTE),
    "Esophageal_Stomach_Cancer_NOS": SiteMapping("Esophagus/Stomach"),
    "Head_And_Neck_Cancer_NOS": SiteMapping("Head and Neck"),
    "Hereditary_Cancer_NOS": SiteMapping(None, _ANY_NOTE),
    "Kidney_Cancer_NOS": SiteMapping("Kidney"),
    "Leukemia_NOS": SiteMapping(None, choices=("Myeloid", "Lymphoid")),
    "Liver_Cancer_NOS": SiteMapping("Liver"),
    "Lung_Cancer_NOS": SiteMapping("Lung"),
    "Lymphoma_Hodgkin_NOS": SiteMapping("Lymphoid"),
    "Lymphoma_Non_Hodgkin_NOS": SiteMapping("Lymphoid"),
    "Mesothelioma": SiteMapping("Lung", "mapped to Lung, as in PCGR's oncotree phenotype table"),
    "Multiple_Myeloma": SiteMapping("Lymphoid"),
    "Ovarian_Fallopian_Tube_Cancer_NOS": SiteMapping("Ovary/Fallopian Tube"),
    "Pancreatic_Cancer_NOS": SiteMapping("Pancreas"),
    "Penile_Cancer_NOS": SiteMapping(None, _ANY_NOTE),
    "Peripheral_Nervous_System_Cancer_NOS": SiteMapping("Peripheral Nervous System"),
    "Peritoneal_Cancer_NOS": SiteMapping("Peritoneum"),
    "Pleural_Cancer_NOS": SiteMapping("Pleura"),
    "Prostate_Cancer_NOS": SiteMapping("Prostate"),
    "Skin_Cancer_NOS": SiteMapping("Skin"),
    "Soft_Tissue_Cancer_NOS": SiteMapping("Soft Tissue"),
    "Stomach_Cancer_NOS": SiteMapping("Esophagus/Stomach"),
    "Testicular_Cancer_NOS": SiteMapping("Testis"),
    "Thymic_Cancer_NOS": SiteMapping("Thymus"),
    "Thyroid_Cancer_NOS": SiteMapping("Thyroid"),
    "Uterine_Cancer_NOS": SiteMapping("Uterus"),
    "Vulvar_Vaginal_Cancer_NOS": SiteMapping("Vulva/Vagina"),
}
