"""The shipped default classifier: categories, routing suggestion, English routing, bad input."""

import dataclasses
import json
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest

from nlp.__main__ import main as cli_main
from nlp.classifier import Classification, load, load_default, train
from nlp.taxonomy import AGENCY_TYPES, CATEGORIES, DEFAULT_AGENCY_TYPE
from nlp.training_data import load_shipped

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    import os

    os.environ["NLP_MODEL_DIR"] = str(tmp_path_factory.mktemp("nlp-model"))
    load_default.cache_clear()
    return load_default()


def test_taxonomy_maps_every_category_to_a_known_agency_type():
    assert set(DEFAULT_AGENCY_TYPE) == set(CATEGORIES)
    assert set(DEFAULT_AGENCY_TYPE.values()) <= set(AGENCY_TYPES)


def test_shipped_training_set_has_forty_examples_per_category_in_both_languages():
    examples = load_shipped()
    for code in CATEGORIES:
        texts = [ex.text for ex in examples if ex.category == code]
        assert len(texts) >= 40, code
        assert any(t.isascii() for t in texts) and any(not t.isascii() for t in texts), code
    assert {ex.agency_type for ex in examples} <= set(AGENCY_TYPES)


@pytest.mark.parametrize(
    "text, category, agency",
    [
        ("ถนนหน้าบ้านเป็นหลุมใหญ่ รถล้มทุกวัน", "infrastructure", "local_admin"),
        ("เจ้าหนี้นอกระบบคิดดอกร้อยละยี่สิบ มาขู่ที่บ้าน", "debt", "district_office"),
        ("น้ำประปาไม่ไหลมาสามวันแล้ว", "utilities", "local_admin"),
        ("มีบ่อนการพนันเปิดทุกคืนหลังตลาด", "gambling", "police"),
        ("นายจ้างไม่จ่ายค่าจ้างสองเดือน", "labour", "provincial_hall"),
    ],
)
def test_thai_complaints_get_their_category_and_agency(classifier, text, category, agency):
    result = classifier.classify(text)
    assert (result.category, result.agency_type, result.language) == (category, agency, "th")
    assert len(result.top) == 3 and result.top[0][0] == category


@pytest.mark.parametrize(
    "text, category",
    [
        ("The street lamps on my road have been dark for weeks", "infrastructure"),
        ("A loan shark is threatening my family over interest", "debt"),
        ("Stray dogs attacked children near the school", "animals"),
        ("The district clerk demanded a bribe to stamp my papers", "officials"),
        ("Factory wastewater is killing the fish in our river", "environment"),
    ],
)
def test_english_complaints_are_routed(classifier, text, category):
    result = classifier.classify(text)
    assert result.category == category and result.language == "en"


def test_top_three_probabilities_are_sorted_and_bounded(classifier):
    result = classifier.classify("ไฟถนนดับทั้งซอย มืดมาก")
    probabilities = [p for _, p in result.top]
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0.0 <= result.confidence <= 1.0 and result.confidence == probabilities[0]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀😀🙏", "!!!???", "\ud800\udfff\ud800", "ก" * 100_000, "ถนน road พัง broken 🙏 " * 5000],
)
def test_bad_input_never_crashes(classifier, text):
    result = classifier.classify(text)
    assert isinstance(result, Classification)
    assert result.category in CATEGORIES


def test_unusable_input_is_unsure(classifier):
    for text in ("", "😀😀😀", "???"):
        result = classifier.classify(text)
        assert result.unsure and result.confidence == 0.0 and result.language == "unknown"


def test_small_talk_is_other_and_unsure(classifier):
    result = classifier.classify("ราคาทองวันนี้เท่าไหร่")
    assert result.unsure


def test_non_text_input_is_a_clear_error(classifier):
    with pytest.raises(ValueError):
        classifier.classify(b"bytes")  # type: ignore[arg-type]


def test_training_is_deterministic(tmp_path):
    examples = load_shipped()[::3]
    first, second = train(examples), train(examples)
    text = "The street lights are broken and the road floods"
    assert dataclasses.asdict(first.classify(text)) == dataclasses.asdict(second.classify(text))


def test_saved_model_loads_and_classifies_the_same(classifier, tmp_path):
    classifier.save(tmp_path / "m")
    again = load(tmp_path / "m")
    text = "ขยะไม่มีคนมาเก็บสองอาทิตย์"
    assert again.classify(text) == classifier.classify(text)


def _load_in_child(directory: str, queue) -> None:
    import os

    os.environ["NLP_MODEL_DIR"] = directory
    from nlp.classifier import load_default as child_load

    queue.put(child_load().classify("ไฟถนนดับ").category)


def test_default_model_is_built_once_when_processes_race(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_load_in_child, args=(str(tmp_path), queue)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [queue.get(timeout=5) for _ in workers] == ["infrastructure", "infrastructure"]
    built = [p.name for p in tmp_path.iterdir()]
    assert len(built) == 1 and built[0].startswith("default-"), built


def _cli(capsys, *args) -> dict:
    # In-process: the same code path as `python -m nlp`, without paying interpreter start-up.
    assert cli_main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_trains_evaluates_and_classifies(tmp_path, capsys):
    _cli(capsys, "export-training", "--out", str(tmp_path / "all.csv"))
    # Every third row keeps the test quick; the full set is exercised by the default-model tests.
    lines = (tmp_path / "all.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    data = tmp_path / "train.csv"
    data.write_text(lines[0] + "".join(lines[1::3]), encoding="utf-8")
    trained = _cli(capsys, "train", "--data", str(data), "--out", str(tmp_path / "model"))
    assert trained["n_examples"] == len(lines[1::3]) and len(trained["categories"]) == len(CATEGORIES)
    figures = _cli(capsys, "evaluate", "--model", str(tmp_path / "model"), "--data", str(data))
    assert {
        "n",
        "accuracy",
        "macro_f1",
        "top3_accuracy",
        "coverage_at_threshold",
        "accuracy_when_sure",
        "per_class",
        "latency_ms",
    } <= set(figures)
    assert figures["accuracy"] > 0.9  # on its own training data: a smoke test, not a figure
    one = _cli(capsys, "classify", "--model", str(tmp_path / "model"), "น้ำท่วมซอยทุกครั้งที่ฝนตก")
    assert one["category"] == "infrastructure"


def test_cli_reports_a_missing_column_clearly(tmp_path, capsys):
    data = tmp_path / "bad.csv"
    data.write_text("message,label\nhello,other\n", encoding="utf-8")
    assert cli_main(["train", "--data", str(data), "--out", str(tmp_path / "m")]) == 2
    assert "no column 'text'" in capsys.readouterr().err


def test_python_dash_m_nlp_runs():
    done = subprocess.run([sys.executable, "-m", "nlp", "--help"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0 and "train" in done.stdout


def test_held_out_fold_of_the_shared_complaints_scores_above_the_tfidf_baseline():
    shared = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "complaints_train.csv"
    if not shared.is_file():
        pytest.skip(f"shared development data not found at {shared}")
    from sklearn.model_selection import StratifiedKFold

    from nlp.evaluation import evaluate
    from nlp.training_data import read_csv

    examples = read_csv(shared, "text", "category", "agency_group", "source")
    labels = [ex.category for ex in examples]
    train_idx, test_idx = next(StratifiedKFold(5, shuffle=True, random_state=0).split(labels, labels))
    held_out = [examples[i] for i in test_idx]
    # Temperatures do not change the ranking, so calibration is skipped to keep the test quick.
    with_channel = evaluate(train([examples[i] for i in train_idx], calibrate=False), held_out)
    text_only = evaluate(
        train([dataclasses.replace(examples[i], channel="") for i in train_idx], calibrate=False),
        [dataclasses.replace(ex, channel="") for ex in held_out],
    )
    # One fold of the 5-fold figures in bench/nlp_bench.py; floors against regressions, not the goal.
    assert text_only["macro_f1"] >= 0.68 and text_only["top3_accuracy"] >= 0.9, text_only
    assert with_channel["macro_f1"] >= 0.74 and with_channel["top3_accuracy"] >= 0.92, with_channel
    assert with_channel["macro_f1"] > text_only["macro_f1"] + 0.03
