from __future__ import annotations

from pathlib import Path

import pytest

from oncodrop.errors import InputRejected
from oncodrop.intake.config import load_config
from oncodrop.intake.pcgr_keys import PCGR_KEYS, SECTIONS
from oncodrop.intake.pcgr_sites import PCGR_TUMOR_TYPES
from oncodrop.sampleconfig import TUMOR_SITES, SampleConfig

V053 = Path("pcgr") / "v0.5.3"
CONFIGS = Path("pcgr") / "configs"

# every PCGR TOML in the shared test data: (file, detected version, tumour site)
EXPECTED = [
    (V053 / "pcgr_configuration.toml", "pcgr-0.5.3", None),
    (V053 / "pcgr_configuration_examples.toml", "pcgr-0.5.3", None),
    (CONFIGS / "toml_v0.6.0_d3c90ca5" / "pcgr_conf.BRCA.toml", "pcgr-0.6", "Breast"),
    (CONFIGS / "toml_v0.6.0_d3c90ca5" / "pcgr_conf.COAD.toml", "pcgr-0.6", "Colon/Rectum"),
    (CONFIGS / "toml_v0.7-era_2d6fe700_2018-11-06" / "pcgr_conf.BRCA.toml", "pcgr-0.7", "Breast"),
    (
        CONFIGS / "toml_v0.7-era_2d6fe700_2018-11-06" / "pcgr_conf.COAD.toml",
        "pcgr-0.7",
        "Colon/Rectum",
    ),
    (CONFIGS / "toml_v0.8.0_078b51c4" / "examples_BRCA.toml", "pcgr-0.8", "Breast"),
    (CONFIGS / "toml_v0.8.0_078b51c4" / "examples_COAD.toml", "pcgr-0.8", "Colon/Rectum"),
    (CONFIGS / "toml_v0.8.3_f2d69fb4" / "examples_BRCA.toml", "pcgr-0.8", None),
    (CONFIGS / "toml_v0.8.3_f2d69fb4" / "examples_COAD.toml", "pcgr-0.8", None),
    (CONFIGS / "toml_v0.9.0rc_f3dd15cb" / "example_BRCA.toml", "pcgr-0.9", None),
    (CONFIGS / "toml_v0.9.0rc_f3dd15cb" / "example_COAD.toml", "pcgr-0.9", None),
]


def _load(path: Path) -> SampleConfig:
    return load_config(path, sample_id_default="b-000000")


def _edited(testdata: Path, tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = (testdata / source).read_text()
    assert old in text, f"test premise: {old!r} is in {source}"
    out = tmp_path / source.name
    out.write_text(text.replace(old, new, 1))
    return out


def _reject(path: Path) -> InputRejected:
    with pytest.raises(InputRejected) as caught:
        _load(path)
    assert caught.value.reason_code == "bad_config"
    assert caught.value.rejection.file == path.name
    return caught.value


def test_every_pcgr_toml_in_the_test_data_is_covered(testdata: Path) -> None:
    found = {p.relative_to(testdata) for p in (testdata / "pcgr").rglob("*.toml")}
    assert found == {path for path, _, _ in EXPECTED}


@pytest.mark.parametrize(("path", "version", "site"), EXPECTED, ids=[str(e[0]) for e in EXPECTED])
def test_pcgr_toml_is_translated_with_its_version_and_site(
    testdata: Path, path: Path, version: str, site: str | None
) -> None:
    config = _load(testdata / path)
    assert config.source_format == version
    assert config.sample.tumor_site == site
    assert config.sample.id == "b-000000"
    assert config.allelic_support.normal_dp_tag is None
    assert {"n_vep_forks", "maf_onekg_eur"} <= {note.key for note in config.notes}


def test_v053_example_tags_and_thresholds_are_carried_over(testdata: Path) -> None:
    config = _load(testdata / V053 / "pcgr_configuration_examples.toml")
    support = config.allelic_support
    assert (support.tumor_dp_tag, support.tumor_af_tag, support.call_conf_tag) == (
        "TDP",
        "TVAF",
        "TAL",
    )
    assert support.normal_af_tag is None
    assert config.assay.target_size_mb == 40.0
    assert (config.cna.log_r_gain, config.cna.log_r_homdel) == (0.8, -0.8)
    assert config.msi.enabled and config.signatures.enabled
    assert (config.signatures.max_signatures, config.signatures.min_snvs) == (5, 100)
    assert config.sample.tumor_only is False
    assert config.germline_filter.max_population_af == 0.01


def test_na_means_no_tag(testdata: Path) -> None:
    support = _load(testdata / V053 / "pcgr_configuration.toml").allelic_support
    assert support.tumor_dp_tag is support.tumor_af_tag is support.call_conf_tag is None


def test_v08_control_tags_and_limits_map_to_normal(testdata: Path, tmp_path: Path) -> None:
    source = CONFIGS / "toml_v0.8.0_078b51c4" / "examples_BRCA.toml"
    path = _edited(testdata, tmp_path, source, 'control_dp_tag = ""', 'control_dp_tag = "NDP"')
    config = _load(path)
    assert config.allelic_support.normal_dp_tag == "NDP"
    assert config.allelic_support.normal_af_max == 1.0
    assert config.cna.overlap_pct == 50
    assert config.assay.target_size_mb == 34.0


def test_v07_tmb_tertile_limits_are_carried_over(testdata: Path, tmp_path: Path) -> None:
    source = CONFIGS / "toml_v0.7-era_2d6fe700_2018-11-06" / "pcgr_conf.COAD.toml"
    path = _edited(testdata, tmp_path, source, "tmb_low_limit = 5", "tmb_low_limit = 7.5")
    config = _load(path)
    assert (config.tmb.low_limit, config.tmb.intermediate_limit) == (7.5, 20.0)


def test_ignored_keys_are_noted_with_a_reason(testdata: Path) -> None:
    notes = {
        note.key: note.note
        for note in _load(testdata / CONFIGS / "toml_v0.9.0rc_f3dd15cb" / "example_BRCA.toml").notes
    }
    assert "runtime option" in notes["vep_skip_intergenic"]
    assert "tumour-only mode" in notes["exclude_pon"]
    assert "tumour site is Any" in notes["type"]
    assert "default target size" in notes["target_size_mb"]


def test_key_of_another_version_is_rejected_naming_both_versions(
    testdata: Path, tmp_path: Path
) -> None:
    source = CONFIGS / "toml_v0.8.0_078b51c4" / "examples_BRCA.toml"
    path = _edited(testdata, tmp_path, source, 'control_af_tag = ""', 'normal_af_tag = ""')
    error = _reject(path)
    assert (
        "'normal_af_tag' is a key of PCGR 0.5-0.7, but the rest of the file is PCGR 0.8"
        in error.message
    )
    assert error.rejection.field == "allelic_support.normal_af_tag"
    assert error.rejection.line is not None


def test_boolean_tumor_type_in_a_v08_file_is_rejected(testdata: Path, tmp_path: Path) -> None:
    source = CONFIGS / "toml_v0.8.0_078b51c4" / "examples_BRCA.toml"
    path = _edited(
        testdata, tmp_path, source, 'type = "Breast_Cancer_NOS"', "Breast_Cancer_NOS = true"
    )
    assert "'Breast_Cancer_NOS' is a key of PCGR 0.6-0.7" in _reject(path).message


def test_unknown_pcgr_key_suggests_the_nearest(testdata: Path, tmp_path: Path) -> None:
    path = _edited(
        testdata,
        tmp_path,
        V053 / "pcgr_configuration_examples.toml",
        "tumor_dp_tag = ",
        "tumor_dp_tg = ",
    )
    error = _reject(path)
    assert "unknown key 'tumor_dp_tg' in [allelic_support]" in error.message
    assert "did you mean 'tumor_dp_tag'?" in error.message


def test_tumour_agnostic_tier_model_is_rejected(testdata: Path, tmp_path: Path) -> None:
    source = CONFIGS / "toml_v0.6.0_d3c90ca5" / "pcgr_conf.BRCA.toml"
    path = _edited(testdata, tmp_path, source, 'tier_model = "pcgr_acmg"', 'tier_model = "pcgr"')
    error = _reject(path)
    assert "only 'pcgr_acmg' is supported" in error.message
    assert error.rejection.line == 6


def test_ambiguous_blood_cancer_asks_for_myeloid_or_lymphoid(
    testdata: Path, tmp_path: Path
) -> None:
    source = CONFIGS / "toml_v0.8.0_078b51c4" / "examples_COAD.toml"
    path = _edited(testdata, tmp_path, source, '"Colorectal_Cancer_NOS"', '"Blood_Cancer_NOS"')
    assert "spans the tumour sites Myeloid and Lymphoid" in _reject(path).message


def test_two_tumour_types_at_different_sites_are_rejected(testdata: Path, tmp_path: Path) -> None:
    source = CONFIGS / "toml_v0.7-era_2d6fe700_2018-11-06" / "pcgr_conf.BRCA.toml"
    path = _edited(testdata, tmp_path, source, "Lung_Cancer_NOS = false", "Lung_Cancer_NOS = true")
    assert "Breast_Cancer_NOS and Lung_Cancer_NOS are both set" in _reject(path).message


def test_two_tumour_types_at_one_site_are_accepted(testdata: Path, tmp_path: Path) -> None:
    source = CONFIGS / "toml_v0.6.0_d3c90ca5" / "pcgr_conf.BRCA.toml"
    text = (
        (testdata / source)
        .read_text()
        .replace("Breast_Cancer_NOS = true", "Breast_Cancer_NOS = false")
    )
    text = text.replace(
        "Esophageal_Stomach_Cancer_NOS = false", "Esophageal_Stomach_Cancer_NOS = true"
    )
    path = tmp_path / "two.toml"
    path.write_text(text.replace("Stomach_Cancer_NOS = false", "Stomach_Cancer_NOS = true"))
    assert _load(path).sample.tumor_site == "Esophagus/Stomach"


def test_penile_cancer_has_no_site_and_says_so(testdata: Path, tmp_path: Path) -> None:
    source = CONFIGS / "toml_v0.8.0_078b51c4" / "examples_BRCA.toml"
    config = _load(
        _edited(testdata, tmp_path, source, '"Breast_Cancer_NOS"', '"Penile_Cancer_NOS"')
    )
    assert config.sample.tumor_site is None
    assert any("no primary site" in n.note for n in config.notes if n.key == "Penile_Cancer_NOS")


def test_active_tumour_only_filter_is_rejected_when_the_sample_is_tumour_only(
    testdata: Path, tmp_path: Path
) -> None:
    source = CONFIGS / "toml_v0.8.0_078b51c4" / "examples_BRCA.toml"
    path = _edited(testdata, tmp_path, source, "vcf_tumor_only = false", "vcf_tumor_only = true")
    error = _reject(path)
    assert "exclude_pon = true" in error.message
    assert error.rejection.field == "tumor_only.exclude_pon"


def test_wrong_type_names_the_pcgr_key(testdata: Path, tmp_path: Path) -> None:
    path = _edited(
        testdata,
        tmp_path,
        V053 / "pcgr_configuration_examples.toml",
        "target_size_mb = 40",
        'target_size_mb = "big"',
    )
    error = _reject(path)
    assert error.message.startswith(
        "pcgr_configuration_examples.toml line 51: target_size_mb = 'big'"
    )
    assert "oncodrop's [assay] target_size_mb" in error.message


def test_zero_target_size_is_refused_not_divided_by(testdata: Path, tmp_path: Path) -> None:
    path = _edited(
        testdata,
        tmp_path,
        V053 / "pcgr_configuration_examples.toml",
        "target_size_mb = 40",
        "target_size_mb = 0",
    )
    assert "greater than 0" in _reject(path).message


def test_our_section_inside_a_pcgr_file_is_rejected(testdata: Path, tmp_path: Path) -> None:
    path = _edited(
        testdata,
        tmp_path,
        V053 / "pcgr_configuration_examples.toml",
        "[msi]",
        '[sample]\ntumor_site = "Lung"\n\n[msi]',
    )
    assert "[sample] is not a section of PCGR 0.5-0.9" in _reject(path).message


def test_tables_are_consistent() -> None:
    """Every mapped tumour type names a real site; every key's versions have its section."""
    assert {m.site for m in PCGR_TUMOR_TYPES.values()} - {None} <= set(TUMOR_SITES)
    for key in PCGR_KEYS:
        assert all(key.section in SECTIONS[v] for v in key.versions()), key
