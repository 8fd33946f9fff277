"""Disease term -> PCGR-style primary tumour site, as an ordered rule table.

Tier rules need to know whether evidence was gathered in the patient's tumour type. CIViC
names diseases with Disease Ontology terms ("Lung Non-small Cell Carcinoma"); PCGR/OncoTree
group them by primary site ("Lung"). The first rule whose keyword occurs in the lower-cased term
wins, so specific rules (uveal melanoma -> Eye) come before general ones (melanoma -> Skin).
Written by us; checked against sigven/pcgr's oncotree_phenotypes.tsv in the tests.
"""

from __future__ import annotations

import re

PAN_CANCER = "Pan-cancer"

# (keyword regex, site). Order matters: the first match wins.
SITE_RULES: tuple[tuple[str, str], ...] = (
    (
        r"^(cancer|solid tumou?r|neoplasm|malignant neoplasm|carcinoma|adenocarcinoma|tumou?r)$",
        PAN_CANCER,
    ),
    (r"uveal melanoma|retinoblastoma|ocular|conjunctival", "Eye"),
    (r"mucosal melanoma", "Skin"),
    (
        r"dermatofibrosarcoma|hemangioendothelioma|desmoplastic small round|langerhans",
        "Soft Tissue",
    ),
    (r"melanoma|skin|merkel|basal cell carcinoma|cutaneous squamous|paget", "Skin"),
    (
        (
            r"lymphoma|myeloma|lymphoblastic|lymphocytic|plasma cell|waldenstrom|macroglobulinemia|"
            r"lymphoid|castleman|sezary"
        ),
        "Lymphoid",
    ),
    (
        (
            r"leukemia|leukaemia|myelodysplastic|myeloproliferative|polycythemia|thrombocythemia|"
            r"myelofibrosis|mastocytosis|myeloid|histiocytosis|eosinophilia|bone marrow"
        ),
        "Myeloid",
    ),
    (r"lung|bronch|pulmonary", "Lung"),
    (r"mesothelioma|pleura", "Pleura"),
    (r"colorectal|colon|rectal|rectum|large intestine|lynch", "Colon/Rectum"),
    (r"breast", "Breast"),
    (r"ovar|fallopian|sertoli-leydig", "Ovary/Fallopian Tube"),
    (r"endometri|uterine|uterus", "Uterus"),
    (r"cervical|cervix", "Cervix"),
    (r"vulva|vagina", "Vulva/Vagina"),
    (r"prostate", "Prostate"),
    (r"testicular|testis|germ cell|seminoma", "Testis"),
    (r"bladder|urothelial|transitional cell|urinary|ureter", "Bladder/Urinary Tract"),
    (
        r"pheochromocytoma|paraganglioma|neuroblastoma|neurofibroma|schwannoma|peripheral nerve",
        "Peripheral Nervous System",
    ),
    (r"adrenal", "Adrenal Gland"),
    (r"renal|kidney|wilms|nephro", "Kidney"),
    (r"hepato|liver|fibrolamellar", "Liver"),
    (r"cholangio|biliary|bile duct|gallbladder", "Biliary Tract"),
    (r"ampulla", "Ampulla of Vater"),
    (r"pancrea", "Pancreas"),
    (r"esophag|oesophag|gastric|stomach|gastroesophageal|barrett", "Esophagus/Stomach"),
    (r"thyroid", "Thyroid"),
    (r"thym", "Thymus"),
    (
        r"head and neck|oral|tongue|laryn|pharyn|salivary|nasal|nut midline",
        "Head and Neck",
    ),
    (
        (
            r"glioma|glioblastoma|astrocytoma|oligodendroglioma|ependymoma|medulloblastoma|brain|"
            r"meningioma|central nervous|atypical teratoid|astroblastoma"
        ),
        "CNS/Brain",
    ),
    (r"osteosarcoma|ewing|chondrosarcoma|chondroblastoma|bone|chordoma", "Bone"),
    (
        (
            r"sarcoma|gastrointestinal stromal|desmoid|fibromatosis|rhabdoid|myofibroblastic|"
            r"soft tissue|leiomyo|liposarcoma|fibrosarcoma"
        ),
        "Soft Tissue",
    ),
    (r"peritone", "Peritoneum"),
)
_COMPILED = tuple((re.compile(pattern), site) for pattern, site in SITE_RULES)


def primary_site_for(disease: str) -> str | None:
    """The primary site of a disease term by the rules above, or None when no rule applies."""
    term = " ".join(disease.lower().replace("_", " ").split())
    if not term:
        return None
    for pattern, site in _COMPILED:
        if pattern.search(term):
            return site
    return None
