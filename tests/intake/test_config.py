from __future__ import annotations

from pathlib import Path

import pytest

from oncodrop.errors import InputRejected
from oncodrop.intake.config import load_config, sections
from oncodrop.intake.pcgr_keys import PCGR_KEYS
from oncodrop.sampleconfig import SampleConfig, SampleSection

FULL = """\
[sample]
genome_build = "GRCh38"
tumor_site = "colon/rectum"
tumor_only = false

[assay]
type = "WGS"
target_size_mb = 2800.0

[tumor]
purity = 0.6

[allelic_support]
tumor_dp_tag = "TDP"
tumor_af_tag = "TVAF"
tumor_dp_min = 10

[germline_filter]
max_population_af = 0.01

[signatures]
max_signatures = 8

[germline]
genes = ["BRCA1", "BRCA2"]
"""


def _write(tmp_path: Path, text: str, name: str = "sample.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _reject(tmp_path: Path, text: str) -> InputRejected:
    with pytest.raises(InputRejected) as caught:
        load_config(_write(tmp_path, text), sample_id_default="b-000000")
    assert caught.value.reason_code == "bad_config"
    assert caught.value.rejection.file == "sample.toml"
    return caught.value


def test_our_layout_is_read_with_aliases_and_canonical_site(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, FULL), sample_id_default="b-000000")
    assert config.source_format == "oncodrop"
    assert config.sample.id == "b-000000"
    assert config.sample.genome_build == "grch38"
    assert config.sample.tumor_site == "Colon/Rectum"
    assert config.assay.type == "WGS" and config.assay.target_size_mb == 2800.0
    assert config.tumor.purity == 0.6
    assert config.allelic_support.tumor_dp_min == 10
    assert config.germline_filter.max_population_af == 0.01
    assert config.signatures.max_signatures == 8
    assert config.germline.genes == ("BRCA1", "BRCA2")
    assert config.notes == ()


def test_empty_file_gives_the_defaults_and_the_key_derived_id(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, ""), sample_id_default="run1-abcdef")
    assert config.sample == SampleSection(id="run1-abcdef")
    assert config.assay.target_size_mb == 34.0


def test_explicit_sample_id_wins_over_the_key(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, '[sample]\nid = "TCGA-A2-A04W"\n'), sample_id_default="x")
    assert config.sample.id == "TCGA-A2-A04W"


def test_any_site_means_no_site(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, '[sample]\ntumor_site = "Any"\n'), sample_id_default="x")
    assert config.sample.tumor_site is None


def test_unknown_key_suggests_the_nearest_and_names_section_and_line(tmp_path: Path) -> None:
    error = _reject(tmp_path, '[sample]\ntumor_site = "Lung"\n\n[assay]\ntarget_size = 30\n')
    assert "unknown key 'target_size' in [assay] (did you mean 'target_size_mb'?)" in error.message
    assert error.rejection.line == 5
    assert error.rejection.field == "assay.target_size"
    assert error.message.startswith("sample.toml line 5:")


def test_unknown_section_suggests_the_nearest(tmp_path: Path) -> None:
    error = _reject(tmp_path, "[signature]\nenabled = false\n")
    assert "unknown section [signature] (did you mean 'signatures'?)" in error.message
    assert error.rejection.line == 1


def test_type_error_names_the_field_and_the_expected_type(tmp_path: Path) -> None:
    error = _reject(tmp_path, '[assay]\ntarget_size_mb = "thirty"\n')
    assert "[assay] target_size_mb = 'thirty': expected a number" in error.message
    assert error.rejection.line == 2


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    error = _reject(tmp_path, "[tumor]\npurity = 1.5\n[msi]\nenabled = 3\n")
    assert "purity = 1.5" in error.message
    assert "[msi] enabled = 3: expected true or false" in error.message


def test_unknown_tumor_site_suggests_a_site(tmp_path: Path) -> None:
    error = _reject(tmp_path, '[sample]\ntumor_site = "Breats"\n')
    assert "'Breats' is not a tumour site. Did you mean 'Breast'?" in error.message
    assert "expected a string" not in error.message and "Value error" not in error.message


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    error = _reject(tmp_path, '[sample]\nid = "x"\ntumor_site = \n')
    assert error.rejection.line == 3
    assert "not valid TOML" in error.message


def test_bare_top_level_key_must_sit_in_a_section(tmp_path: Path) -> None:
    error = _reject(tmp_path, '# site\ntumor_site = "Lung"\n')
    assert "key 'tumor_site' is outside any section; put it under [sample]" in error.message
    assert error.rejection.line == 2


def test_source_format_and_notes_cannot_be_set_by_the_user(tmp_path: Path) -> None:
    error = _reject(tmp_path, 'source_format = "pcgr-0.5.3"\n')
    assert (
        "key 'source_format' is outside any section; keys must sit inside a section"
        in error.message
    )


def test_non_utf8_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "sample.toml"
    path.write_bytes(b'[sample]\nid = "\xff"\n')
    with pytest.raises(InputRejected) as caught:
        load_config(path, sample_id_default="x")
    assert "not UTF-8" in caught.value.message


def test_models_are_frozen_and_reject_unknown_fields() -> None:
    with pytest.raises(ValueError):
        SampleConfig.model_validate({"sample": {"colour": "red"}})
    config = SampleConfig()
    with pytest.raises(ValueError):
        config.sample.tumor_only = True  # type: ignore[misc]


def test_docs_describe_every_key_of_our_layout_and_of_pcgr() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "config.md").read_text()
    for section, model in sections().items():
        body = docs.split(f"### `[{section}]`", 1)[1].split("###", 1)[0]
        missing = [key for key in model.model_fields if f"| `{key}` |" not in body]
        assert not missing, f"docs/config.md [{section}] lacks {missing}"
    for rule in PCGR_KEYS:
        stem, _, last = rule.key.rpartition("_")
        assert rule.key in docs or (f"{stem}_{{" in docs and last in docs), rule.key
