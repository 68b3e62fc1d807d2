"""Per-channel weights: a model trained with the channel each complaint came through learns how each
channel words and labels its complaints, keeps what the channels share, and falls back to the shared
weights for a channel it has not seen; a model trained without channels ignores them."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

import pytest

from nlp.__main__ import main as cli_main
from nlp.classifier import MIN_CHANNEL_EXAMPLES, train
from nlp.taxonomy import CATEGORIES
from nlp.training_data import LabelledText, load_shipped

PLACES = [
    "หน้าตลาด",
    "หน้าโรงเรียน",
    "ปากซอย",
    "หน้าวัด",
    "ข้างร้านกาแฟ",
    "หน้าธนาคาร",
    "ใต้สะพาน",
    "หน้าเซเว่น",
    "หน้าคอนโด",
    "ข้างป้ายรถเมล์",
    "หน้าร้านยา",
    "ริมคลอง",
    "หน้าโรงพยาบาล",
    "หน้าไปรษณีย์",
    "ข้างสถานีตำรวจ",
    "หน้าหมู่บ้าน",
    "ตรงสามแยก",
    "หน้าอำเภอ",
    "หน้าห้าง",
    "ท้ายซอย",
    "หน้าร้านทอง",
    "หน้าปั๊ม",
    "หน้าสวนสาธารณะ",
    "หน้าร้านอาหาร",
    "ข้างตึกแถว",
]
QUERY = "มีรถมาจอดบนทางเท้าหน้าบ้านทุกเช้า เดินไม่ได้เลย"


def _two_channels() -> list[LabelledText]:
    """The shipped set split over two channels, plus one kind of complaint the channels label
    differently: the hotline's staff call a car parked on the footpath a traffic matter, the LINE
    channel's citizens an infrastructure one (the shared Traffy data shows this very split)."""
    shipped = [replace(ex, channel="hotline" if i % 2 else "line") for i, ex in enumerate(load_shipped())]
    parked = [f"รถจอดบนทางเท้า{place} คนเดินต้องลงไปเดินบนถนน" for place in PLACES]
    return (
        shipped
        + [LabelledText(t, "traffic", "police", "hotline") for t in parked]
        + [LabelledText(t, "infrastructure", "local_admin", "line") for t in parked]
    )


@pytest.fixture(scope="module")
def by_channel():
    # Temperatures do not change which label wins, so calibration is skipped to keep the test quick.
    return train(_two_channels(), calibrate=False, semantic=False)


def test_each_channel_keeps_its_own_labelling(by_channel):
    assert by_channel.features.channels == ("hotline", "line")
    assert by_channel.meta["channels"] == ["hotline", "line"]
    assert by_channel.classify(QUERY, "hotline").category == "traffic"
    assert by_channel.classify(QUERY, "line").category == "infrastructure"


def test_what_the_channels_share_is_learnt_once(by_channel):
    for channel in ("hotline", "line", ""):
        assert by_channel.classify("น้ำประปาไม่ไหลมาสามวันแล้ว", channel).category == "utilities"
        assert by_channel.classify("มีบ่อนการพนันเปิดทุกคืนหลังตลาด", channel).category == "gambling"


def test_an_unknown_channel_uses_the_shared_weights(by_channel):
    unknown = by_channel.classify(QUERY, "walk_in")
    assert unknown == by_channel.classify(QUERY, "")
    assert unknown.category in CATEGORIES and len(unknown.top) == 3
    batch = by_channel.classify_many([QUERY, QUERY, "🙂"], ["hotline", "line", "line"])
    assert [r.category for r in batch[:2]] == ["traffic", "infrastructure"] and batch[2].unsure


def test_a_model_trained_without_channels_ignores_them():
    plain = train([replace(ex, channel="") for ex in _two_channels()], calibrate=False, semantic=False)
    assert plain.features.channels == () and plain.meta["channels"] == []
    assert plain.classify(QUERY, "hotline") == plain.classify(QUERY, "line") == plain.classify(QUERY)


def test_a_channel_too_rare_or_alone_gets_no_weights_of_its_own():
    shipped = load_shipped()
    one = [replace(ex, channel="line") for ex in shipped]
    assert train(one, calibrate=False, semantic=False).features.channels == ()
    rare = [replace(ex, channel="fax" if i < MIN_CHANNEL_EXAMPLES - 1 else "line") for i, ex in enumerate(shipped)]
    assert train(rare, calibrate=False, semantic=False).features.channels == ()


def _write_history(path, column: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "category", "agency_type", column])
        for ex in _two_channels():
            writer.writerow([ex.text, ex.category, ex.agency_type, ex.channel])


def _run(capsys, *args) -> dict:
    assert cli_main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_the_command_line_reads_a_channel_column_only_when_named(tmp_path, capsys):
    data = tmp_path / "history.csv"
    _write_history(data, "channel")
    common = ("--data", str(data), "--lexical-only")
    guessed = _run(capsys, "train", *common, "--out", str(tmp_path / "plain"))
    assert guessed["channels"] == [] and guessed["channel_column"] is None
    trained = _run(capsys, "train", *common, "--channel-col", "channel", "--out", str(tmp_path / "model"))
    assert trained["channels"] == ["hotline", "line"] and trained["channel_column"] == "channel"
    hotline = _run(capsys, "classify", "--model", str(tmp_path / "model"), "--channel", "hotline", QUERY)
    line = _run(capsys, "classify", "--model", str(tmp_path / "model"), "--channel", "line", QUERY)
    assert (hotline["category"], line["category"]) == ("traffic", "infrastructure")
    # evaluate reads the channel from the column the model was trained with
    figures = _run(capsys, "evaluate", "--model", str(tmp_path / "model"), "--data", str(data))
    assert figures["channel_column"] == "channel" and figures["accuracy"] > 0.9
    plain = _run(capsys, "evaluate", "--model", str(tmp_path / "plain"), "--data", str(data))
    assert plain["channel_column"] is None
    assert cli_main(["train", *common, "--channel-col", "intake", "--out", str(tmp_path / "x")]) == 2
    assert "no column 'intake'" in capsys.readouterr().err


def test_where_the_data_was_collected_is_never_a_channel(tmp_path, capsys):
    """The shared Traffy data's `source` column names the repository a ticket was scraped from: no
    deployment sees it, so it is neither guessed nor accepted as a channel."""
    data = tmp_path / "scraped.csv"
    _write_history(data, "source")
    trained = _run(capsys, "train", "--data", str(data), "--lexical-only", "--out", str(tmp_path / "m"))
    assert trained["channels"] == [] and trained["channel_column"] is None
    assert _run(capsys, "evaluate", "--model", str(tmp_path / "m"), "--data", str(data))["channel_column"] is None
    for command in (["train", "--out", str(tmp_path / "x")], ["evaluate", "--model", str(tmp_path / "m")]):
        assert cli_main([*command, "--data", str(data), "--channel-col", "source"]) == 2
        assert "not an intake channel" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_a_deployment_points_the_product_at_its_own_model(tmp_path, monkeypatch):
    from nlp.classifier import load_default

    own = train(_two_channels(), calibrate=False, semantic=False)
    own.meta["source"] = "our case history"
    own.save(tmp_path / "ours")
    monkeypatch.setenv("NLP_MODEL", str(tmp_path / "ours"))
    load_default.cache_clear()
    try:
        model = load_default()
        assert model.meta["source"] == "our case history"
        assert model.classify(QUERY, "hotline").category == "traffic"
        monkeypatch.setenv("NLP_MODEL", str(tmp_path / "missing"))
        load_default.cache_clear()
        with pytest.raises(FileNotFoundError, match="no model at"):
            load_default()
    finally:
        load_default.cache_clear()
