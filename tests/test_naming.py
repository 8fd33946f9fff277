from __future__ import annotations

import pytest

from oncodrop.errors import InputRejected, Rejection
from oncodrop.naming import Ignored, SampleKey, classify_key, parse_key, reinterpretation_key


def test_plain_somatic_key_is_split_into_its_parts() -> None:
    result = classify_key("run42-3fa9c1-somatic.tar.gz")
    assert result == SampleKey(
        "", "run42", "3fa9c1", "somatic", "run42-3fa9c1-somatic.tar.gz", "somatic"
    )
    assert result.sample_id == "run42-3fa9c1"
    assert result.output_key == "run42-3fa9c1-somatic-output.tar.gz"


def test_prefix_is_kept_and_output_lands_beside_the_input() -> None:
    result = classify_key("projectA/run1/TCGA_A2.A04W-00ff00-normal.tar.gz")
    assert isinstance(result, SampleKey)
    assert result.prefix == "projectA/run1/"
    assert result.sample_batch == "TCGA_A2.A04W"
    assert result.kind == "normal"
    assert result.output_key == "projectA/run1/TCGA_A2.A04W-00ff00-normal-output.tar.gz"


def test_dashes_inside_the_batch_are_parsed_from_the_right() -> None:
    result = classify_key("TCGA-A2-A04W-batch-7-abcdef-somatic.tar.gz")
    assert isinstance(result, SampleKey)
    assert result.sample_batch == "TCGA-A2-A04W-batch-7"
    assert result.id6 == "abcdef"
    assert result.sample_id == "TCGA-A2-A04W-batch-7-abcdef"


def test_uppercase_hex_id_is_accepted_as_spelled() -> None:
    result = classify_key("b-ABC12F-somatic.tar.gz")
    assert isinstance(result, SampleKey)
    assert result.id6 == "ABC12F"
    assert result.output_key == "b-ABC12F-somatic-output.tar.gz"


def test_germline_is_an_alias_of_normal_and_keeps_its_spelling_in_the_output() -> None:
    result = classify_key("p/b1-123456-germline.tar.gz")
    assert isinstance(result, SampleKey)
    assert result.kind == "normal"
    assert result.kind_spelling == "germline"
    assert result.output_key == "p/b1-123456-germline-output.tar.gz"


@pytest.mark.parametrize(
    "key",
    [
        "run42-3fa9c1-somatic-output.tar.gz",
        "p/run42-3fa9c1-normal-output.tar.gz",
        "p/run42-3fa9c1-somatic-OUTPUT.TAR.GZ",
        "notes.txt",
        "p/run42-3fa9c1-somatic.vcf.gz",
        "folder/",
        "p/run42-3fa9c1-somatic-reinterpretation-2026.12_demo.tar.gz",
    ],
)
def test_outputs_and_non_tarballs_are_ignored(key: str) -> None:
    assert isinstance(classify_key(key), Ignored)


def test_non_hex_id_is_rejected_naming_the_id_and_the_pattern() -> None:
    result = classify_key("runs/run42-3fa9cg-somatic.tar.gz")
    assert isinstance(result, Rejection)
    assert result.reason_code == "bad_key"
    assert result.file == "runs/run42-3fa9cg-somatic.tar.gz"
    assert "{sample_batch}-{id6}-{kind}.tar.gz" in result.message
    assert "id6 '3fa9cg' must be exactly 6 hexadecimal digits" in result.message


def test_unknown_kind_and_short_id_are_both_reported() -> None:
    result = classify_key("run-3fa9-tumor.tar.gz")
    assert isinstance(result, Rejection)
    assert "id6 '3fa9'" in result.message
    assert "kind 'tumor' must be one of somatic, normal, germline" in result.message


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("my%20run-3fa9c1-somatic.tar.gz", "contains '%'"),
        ("my run+1-3fa9c1-somatic.tar.gz", "contains ' +'"),
        ("a?b=c-3fa9c1-somatic.tar.gz", "contains '=?'"),
        ("-3fa9c1-somatic.tar.gz", "sample_batch is empty"),
        ("3fa9c1-somatic.tar.gz", "needs 3"),
        ("run-3fa9c1-somatic.tgz", "must end in '.tar.gz'"),
        ("run-3fa9c1-somatic.TAR.GZ", "not '.TAR.GZ'"),
        ("run-3fa9c1-Somatic.tar.gz", "kind 'Somatic'"),
        ("../run-3fa9c1-somatic.tar.gz", "'..'"),
        ("run\n-3fa9c1-somatic.tar.gz", "control characters"),
    ],
)
def test_malformed_tarball_keys_are_rejected_with_the_reason(key: str, fragment: str) -> None:
    result = classify_key(key)
    assert isinstance(result, Rejection), result
    assert fragment in result.message


def test_parse_key_raises_input_rejected_for_an_ignored_key() -> None:
    with pytest.raises(InputRejected) as caught:
        parse_key("run-3fa9c1-somatic-output.tar.gz")
    assert caught.value.reason_code == "bad_key"
    assert "an oncodrop output" in caught.value.message


def test_parse_key_returns_the_sample_key() -> None:
    assert parse_key("x/b-000000-normal.tar.gz").sample_id == "b-000000"


def test_a_reinterpretation_lands_beside_the_output_named_for_the_bundle_version() -> None:
    key = reinterpretation_key("p/run42-3fa9c1-somatic-output.tar.gz", "2026.12-demo")
    assert key == "p/run42-3fa9c1-somatic-reinterpretation-2026.12_demo.tar.gz"
    assert isinstance(classify_key(key), Ignored)
