from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from oncodrop.domain.variant import Variant
from oncodrop.errors import BundleError
from oncodrop.report.metrics.refit import cosine, nnls_fit, percentiles
from oncodrop.report.metrics.sequence import ReferenceGenome
from oncodrop.report.metrics.signatures import (
    SignatureMatrix,
    build_catalogue,
    fit_signatures,
    load_signature_matrix,
    mutational_signatures,
    snv_context,
)
from oncodrop.sampleconfig import SignaturesSection

# Known mixtures of COSMIC v3.4 signatures: APOBEC + clock, tobacco, SBS17/ROS, UV, MMR, POLE.
MIXTURES = [
    {"SBS1": 0.3, "SBS5": 0.4, "SBS2": 0.15, "SBS13": 0.15},
    {"SBS4": 0.6, "SBS5": 0.3, "SBS1": 0.1},
    {"SBS17b": 0.4, "SBS17a": 0.2, "SBS1": 0.2, "SBS18": 0.2},
    {"SBS7a": 0.5, "SBS7b": 0.3, "SBS5": 0.2},
    {"SBS6": 0.5, "SBS1": 0.3, "SBS5": 0.2},
    {"SBS10a": 0.5, "SBS10b": 0.3, "SBS28": 0.1, "SBS1": 0.1},
]


@pytest.fixture(scope="module")
def cosmic(reference: Path) -> SignatureMatrix:
    return load_signature_matrix(reference / "pcgr/COSMIC_v3.4_SBS_GRCh38.txt")


def _simulate(
    cosmic: SignatureMatrix, mixture: dict[str, float], n: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    truth = np.array([mixture.get(name, 0.0) for name in cosmic.names])
    counts = np.random.default_rng(seed).multinomial(n, cosmic.matrix @ truth).astype(float)
    return truth, counts


def test_cosmic_v34_matrix_has_96_contexts_and_86_signatures(cosmic: SignatureMatrix) -> None:
    assert cosmic.matrix.shape == (96, 86)
    assert cosmic.contexts[:2] == ("A[C>A]A", "A[C>A]C")
    assert cosmic.names[0] == "SBS1" and "SBS7a" in cosmic.names
    assert np.allclose(cosmic.matrix.sum(axis=0), 1.0, atol=1e-3)


def test_matrix_with_wrong_first_column_is_a_bundle_error(tmp_path: Path) -> None:
    bad = tmp_path / "sigs.txt"
    bad.write_text("Context\tSBS1\nA[C>A]A\t0.1\n")
    with pytest.raises(BundleError, match="'Type'"):
        load_signature_matrix(bad)


@pytest.mark.parametrize("mixture", MIXTURES, ids=lambda m: "+".join(m))
@pytest.mark.parametrize("seed", [1, 2])
def test_refit_recovers_known_mixtures_without_overfitting(
    cosmic: SignatureMatrix, mixture: dict[str, float], seed: int
) -> None:
    truth, counts = _simulate(cosmic, mixture, 2000, seed)
    fit = fit_signatures(counts, cosmic, bootstrap=0)
    assert cosine(fit.fractions(cosmic.names), truth) >= 0.99
    assert len(fit.exposures) <= len(mixture) + 1
    assert {e.name for e in fit.exposures} >= {n for n, share in mixture.items() if share >= 0.2}
    plain, _ = nnls_fit(cosmic.matrix, counts, range(len(cosmic.names)))
    assert np.count_nonzero(plain) >= 2 * len(mixture) + 2  # plain NNLS over-fits: what refit prevents
    assert fit.cosine >= 0.97  # reconstruction vs the noisy catalogue


def test_bootstrap_intervals_bracket_the_estimate_and_are_reproducible(cosmic: SignatureMatrix) -> None:
    _, counts = _simulate(cosmic, MIXTURES[1], 2000, seed=7)
    first = fit_signatures(counts, cosmic, bootstrap=100)
    again = fit_signatures(counts, cosmic, bootstrap=100)
    assert first == again  # fixed seed: same inputs, same report
    sbs4 = next(e for e in first.exposures if e.name == "SBS4")
    assert sbs4.ci_low is not None and sbs4.ci_high is not None
    assert sbs4.ci_low < sbs4.fraction < sbs4.ci_high
    assert 0.45 < sbs4.ci_low and sbs4.ci_high < 0.8
    assert sbs4.aetiology == "tobacco smoking"
    assert first.bootstrap == 100


def test_percentiles_are_numpys_linear_percentiles_bit_for_bit() -> None:
    rng = np.random.default_rng(5)
    qs = (2.5, 97.5, 0.0, 100.0, 50.0, 33.3, 99.9, 0.1, 25.0)
    for n in (*range(1, 40), 99, 100, 101, 1000):
        for values in (rng.random(n), rng.integers(0, 4, n) / 7, np.zeros(n), rng.random(n) * 1e-12,
                       rng.dirichlet(np.ones(3), n)[:, 0]):  # fmt: skip
            want = [float(x).hex() for x in np.percentile(values, list(qs))]
            assert [x.hex() for x in percentiles(values.tolist(), qs)] == want, (n, values)
    assert all(np.isnan(percentiles([0.1, float("nan")], (50.0,))))
    with pytest.raises(ValueError):
        percentiles([0.5], (101.0,))


def test_max_signatures_caps_the_selection(cosmic: SignatureMatrix) -> None:
    _, counts = _simulate(cosmic, MIXTURES[0], 5000, seed=3)
    fit = fit_signatures(counts, cosmic, bootstrap=0, max_signatures=2)
    assert len(fit.exposures) == 2


def test_restriction_to_a_signature_set_is_honoured(cosmic: SignatureMatrix) -> None:
    _, counts = _simulate(cosmic, MIXTURES[0], 5000, seed=3)
    fit = fit_signatures(counts, cosmic, bootstrap=0, restrict_to={"SBS1", "SBS5", "SBS40a"})
    assert {e.name for e in fit.exposures} <= {"SBS1", "SBS5", "SBS40a"}


@pytest.mark.parametrize(
    ("ref", "alt", "tri", "context"),
    [
        ("C", "A", "ACA", "A[C>A]A"),
        ("G", "T", "TGC", "G[C>A]A"),  # purine reference: reverse complement
        ("A", "G", "CAT", "A[T>C]G"),
        ("T", "C", "ATG", "A[T>C]G"),
        ("C", "T", "NCA", None),
        ("C", "T", "AGA", None),  # reference base disagrees with the FASTA
    ],
)
def test_snv_context_is_pyrimidine_centred(ref: str, alt: str, tri: str, context: str | None) -> None:
    assert snv_context(ref, alt, tri) == context


def test_catalogue_counts_exact_contexts_and_skips_unusable_ones(
    make_genome: Callable[[dict[str, str]], ReferenceGenome], cosmic: SignatureMatrix
) -> None:
    #          1234567890123456
    seq = "GACATGCTTCAGNCAT"
    genome = make_genome({"chr1": seq})
    variants = [
        Variant("1", 3, "C", "A"),  # ACA -> A[C>A]A
        Variant("1", 6, "G", "T"),  # TGC -> G[C>A]A
        Variant("1", 6, "G", "T"),  # the same again
        Variant("1", 11, "A", "G"),  # CAG -> revcomp CTG -> C[T>C]G
        Variant("1", 14, "C", "T"),  # NCA: skipped
        Variant("1", 1, "G", "A"),  # contig start: skipped
        Variant("1", 16, "T", "A"),  # contig end: skipped
        Variant("2", 5, "C", "A"),  # unknown contig: skipped
        Variant("1", 4, "G", "T"),  # FASTA has A: skipped
        Variant("1", 8, "T", "A", filter_pass=False),  # not PASS: ignored
        Variant("1", 8, "TT", "A"),  # not an SNV: ignored
    ]
    catalogue = build_catalogue(variants, genome, cosmic.contexts)
    counts = dict(zip(catalogue.contexts, catalogue.counts, strict=True))
    assert counts["A[C>A]A"] == 1
    assert counts["G[C>A]A"] == 2
    assert counts["C[T>C]G"] == 1
    assert catalogue.total == 4
    assert catalogue.n_snvs == 9
    assert catalogue.n_skipped == 5


def test_too_few_snvs_or_no_fasta_is_not_computable(
    make_genome: Callable[[dict[str, str]], ReferenceGenome], cosmic: SignatureMatrix
) -> None:
    settings = SignaturesSection(min_snvs=100)
    no_fasta = mutational_signatures([Variant("1", 3, "C", "A")], None, cosmic, settings)
    assert no_fasta.metric.note == "not computable: no reference FASTA for trinucleotide contexts"
    genome = make_genome({"1": "GACATGCTTCAG"})
    few = mutational_signatures([Variant("1", 3, "C", "A")] * 99, genome, cosmic, settings)
    assert few.metric.value is None
    assert "99 SNVs with a usable context, fewer than 100" in few.metric.note
    assert few.catalogue is not None and few.fit is None


def test_sample_report_names_top_signatures_with_aetiology(
    make_genome: Callable[[dict[str, str]], ReferenceGenome], cosmic: SignatureMatrix
) -> None:
    # A genome of repeated TCA/TCT motifs mutated C>T and C>G: an APOBEC-only catalogue.
    unit = "ATCAGTCTG"
    genome = make_genome({"1": unit * 200})
    variants = []
    for i in range(200):
        base = i * len(unit)
        variants.append(Variant("1", base + 3, "C", "T" if i % 2 else "G"))  # TCA
        variants.append(Variant("1", base + 7, "C", "T" if i % 3 else "G"))  # TCT
    report = mutational_signatures(variants, genome, cosmic, SignaturesSection(min_snvs=100, bootstrap=20))
    assert report.fit is not None
    assert report.metric.details["n_snvs"] == 400
    assert {report.metric.details["top1"], report.metric.details["top2"]} <= {"SBS2", "SBS13"}
    assert report.metric.details["top1_aetiology"] == "APOBEC cytidine deaminase activity"
