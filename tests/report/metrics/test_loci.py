"""``Loci`` hold variant loci in arrays and give them back as they were added."""

from __future__ import annotations

from oncodrop.report.metrics.loci import Loci, Locus


def test_loci_give_back_each_locus_by_index_slice_and_contig() -> None:
    added = [Locus("1", 5, "A", "T"), Locus("2", 7, "AC", "A"), Locus("1", 3, "G", "GTT"), Locus("X", 9, "C", "")]
    loci = Loci(added)
    assert list(loci) == added and len(loci) == 4
    assert loci[-1] == added[-1] and loci[::2] == [added[0], added[2]]
    assert loci.contigs() == ("1", "2", "X")
    indexes, positions = loci.on_contig("1")
    assert indexes.tolist() == [0, 2] and positions.tolist() == [5, 3]
    assert loci.on_contig("Y")[0].tolist() == []


def test_snvs_alone_and_then_an_indel_give_back_the_same_loci() -> None:
    snvs = [Locus("1", p, "C", "T") for p in range(1, 6)]
    loci = Loci(snvs)
    assert list(loci) == snvs  # fixed-width alleles, no ends kept
    loci.add("2", 9, "CA", "C")
    loci.add("2", 12, "G", "A")
    assert list(loci) == [*snvs, Locus("2", 9, "CA", "C"), Locus("2", 12, "G", "A")]


def test_take_gives_what_indexing_gives_in_the_order_asked() -> None:
    snvs = [Locus(c, p, r, a) for c, p, r, a in [("1", 5, "A", "T"), ("2", 7, "c", "g"), ("1", 3, "G", "N")]]
    for added in (
        snvs,
        [*snvs, Locus("3", 4, "AC", "")],
        [*snvs, Locus("3", 4, "", "AC")],
        [*snvs, Locus("3", 4, "É", "A")],
    ):
        loci = Loci(added)  # SNVs only (one text), then 3-byte alleles that are not an SNV's, non-ASCII
        order = [2, 0, len(added) - 1, 2]
        assert list(loci.take(order)) == [loci[i] for i in order] == [added[i] for i in order]
    loci = Loci(snvs)
    assert list(loci.take([1])) == [snvs[1]]
    loci.add("4", 8, "T", "C")  # added after a take: seen by the next
    assert list(loci) == [*snvs, Locus("4", 8, "T", "C")]
