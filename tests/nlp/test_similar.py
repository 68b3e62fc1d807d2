"""Similar-case detection (`nlp.similar`): the same measure finds the same spot and problem in Thai and
in English, and leaves a different problem or place below the threshold; the evaluation's band
weighting (`nlp.similar_eval`) counts each band for its number of pairs."""

from __future__ import annotations

from nlp.similar import THRESHOLD, similar, similarity_matrix
from nlp.similar_eval import Pair, evaluate


def test_thai_reports_of_the_same_street_light_are_found_and_others_are_not():
    text = "ไฟถนนดับทั้งซอย หน้าซอยสุขุมวิท 71 มืดมาก อันตราย"
    candidates = [
        "ขยะล้นถังหน้าตลาดคลองเตย ส่งกลิ่นเหม็น",
        "ไฟทางดับ ซอยสุขุมวิท71 มืดมากตอนกลางคืน",
        "ถนนเป็นหลุมลึกหน้าโรงเรียนวัดธาตุทอง",
    ]
    found = similar(text, candidates)
    assert [m.index for m in found] == [1]
    assert found[0].score >= THRESHOLD


def test_english_reports_use_the_same_measure():
    text = "Street light out at Sukhumvit Soi 71, very dark at night"
    candidates = [
        "the streetlight is broken near sukhumvit soi 71, it is very dark",
        "Garbage has not been collected at Khlong Toei market for a week",
    ]
    assert [m.index for m in similar(text, candidates)] == [0]


def test_scores_are_symmetric_and_bounded():
    m = similarity_matrix(["น้ำท่วมซอยลาดพร้าว 101", "flooding on lat phrao 101", "", "!!!"])
    assert m.shape == (4, 4)
    assert (m >= 0).all() and (m <= 1).all()
    assert abs(m[0, 1] - m[1, 0]) < 1e-9
    assert similar("anything", []) == []


def test_the_evaluation_weights_each_band_by_its_pairs():
    # 100 low pairs (2 labelled, none the same), 10 high pairs (2 labelled, one the same)
    pairs = [Pair(f"a{i}", f"b{i}", 0.05, "k", "c") for i in range(100)]
    pairs += [Pair(f"x{i}", f"y{i}", 0.9, "k", "c") for i in range(10)]
    labels = {("a0", "b0"): "0", ("a1", "b1"): "0", ("x0", "y0"): "1", ("x1", "y1"): "0", ("x2", "y2"): ""}
    got = evaluate(pairs, labels, 0.35)
    assert got["pairs_flagged"] == 10 and got["labelled"] == 4
    assert got["precision"] == 0.5 and got["recall"] == 1.0
    assert got["estimated_same_pairs"] == 5.0
