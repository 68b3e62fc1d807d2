"""The ``python -m nlp`` command line: train, evaluate and try complaint classifiers, cross-validate
them, evaluate the FAQ retriever, and export the shipped training set. Every command prints JSON on
stdout; errors go to stderr with exit status 2.

This module owns argument parsing and output only; the work happens in the library modules.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path


def _print(obj) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _column(path: str, requested: str | None, conventional: tuple[str, ...]) -> str | None:
    """The optional column to read: the one asked for ('' for none), else a conventional name if the
    CSV has one."""
    if requested is not None:
        return requested or None
    import csv

    with open(path, newline="", encoding="utf-8-sig") as handle:
        columns = next(csv.reader(handle), [])
    return next((c for c in conventional if c in columns), None)


# Columns that say where a row of data was collected, never how a complaint came in: the shared
# Traffy data's `source` names the repository snapshot a ticket was scraped from, confounded with a
# change of Traffy's taxonomy, and no deployment sees it at filing time. Refused as a channel.
NOT_CHANNELS = ("source", "source_repo", "source_commit")


def _channel_column(requested: str | None) -> str | None:
    """The channel column only when named (``--channel-col``); never guessed from the CSV's header."""
    if requested in NOT_CHANNELS:
        raise ValueError(
            f"column {requested!r} is where the data was collected, not an intake channel; "
            "name a column that holds the channel each complaint came through (line, web, api, ...)"
        )
    return requested or None


def _examples(args, channel_col: str | None):
    from nlp.training_data import read_csv

    agency_col = _column(args.data, args.agency_col, ("agency_type", "agency_group"))
    return read_csv(args.data, args.text_col, args.label_col, agency_col, channel_col)


def cmd_train(args) -> None:
    from nlp.classifier import train

    channel_col = _channel_column(args.channel_col)
    model = train(
        _examples(args, channel_col),
        threshold=args.threshold,
        semantic=not args.lexical_only,
        sure_accuracy=args.sure_accuracy,
    )
    model.meta["source"] = str(args.data)
    model.meta["channel_column"] = channel_col if model.features.channels else None
    model.save(args.out)
    _print({"out": str(args.out), **model.meta})


def cmd_evaluate(args) -> None:
    from nlp.classifier import load
    from nlp.evaluation import evaluate

    started = time.perf_counter()
    model = load(args.model)
    load_seconds = time.perf_counter() - started
    # A model trained with channels reads them from the column it was trained with, unless told.
    channel_col = _channel_column(
        args.channel_col if args.channel_col is not None else model.meta.get("channel_column")
    )
    examples = _examples(args, channel_col)
    figures = evaluate(model, examples)
    figures["channel_column"] = channel_col
    routing = routing_level(examples, model)
    if routing is not None:
        figures["routing_level_not_the_category_metric"] = routing
    figures["load_seconds"] = round(load_seconds, 3)
    if model.agency is not None and any(ex.agency_type for ex in examples):
        labelled = [ex for ex in examples if ex.agency_type]
        agency = evaluate(model, labelled, target="agency")
        agency.pop("latency_ms")
        figures["agency"] = agency
    _print(figures)


def routing_level(examples, model) -> dict | None:
    """When the labels are Traffy's categories: the same predictions scored after mapping both sides
    to our taxonomy and its default agency type (errors that route to the same place cost an officer
    nothing). Printed next to, never instead of, the category figures."""
    from nlp.evaluation import score_routing
    from nlp.taxonomy import TRAFFY_CATEGORY

    if not examples or not all(ex.category in TRAFFY_CATEGORY for ex in examples):
        return None
    return score_routing([ex.category for ex in examples], model.classify_many([ex.text for ex in examples]))


def cmd_classify(args) -> None:
    from nlp.classifier import load, load_default

    model = load(args.model) if args.model else load_default()
    _print(dataclasses.asdict(model.classify(args.text, args.channel)))


def cmd_cross_validate(args) -> None:
    from nlp.evaluation import cross_validate
    from nlp.training_data import load_shipped

    if args.data:
        examples = _examples(args, _channel_column(args.channel_col))
    else:
        examples = load_shipped()
    _print(cross_validate(examples, folds=args.folds))


def cmd_faq_eval(args) -> None:
    from nlp.faq import evaluate_faq, load_faq

    _print(evaluate_faq(load_faq(), args.data))


def cmd_faq_calibrate(args) -> None:
    from nlp.faq import calibrate, load_faq, read_labelled

    _print(calibrate(load_faq(), read_labelled(args.data)))


def cmd_faq(args) -> None:
    from nlp.faq import load_faq

    answer = load_faq().answer(args.question)
    _print(dataclasses.asdict(answer) if answer else None)


def cmd_chat_eval(args) -> None:
    # The runner drives the chat front, which sits above nlp: it lives in scripts/ and is found by name.
    import importlib

    figures = importlib.import_module("scripts.chat_eval").run(args.data)
    if args.max_misses is not None:
        figures["misses"] = figures["misses"][: args.max_misses]
    _print(figures)


def cmd_understand(args) -> None:
    from nlp.understanding import understand

    _print(dataclasses.asdict(understand(args.text)))


def cmd_intent(args) -> None:
    from nlp.intents import detect_intent

    _print(dataclasses.asdict(detect_intent(args.text)))


def cmd_export_training(args) -> None:
    from nlp.training_data import load_shipped, write_csv

    examples = load_shipped()
    write_csv(examples, args.out)
    _print({"out": str(args.out), "n": len(examples)})


def cmd_similar_eval(args) -> None:
    from nlp.similar_eval import evaluate, read_labels, read_tickets, sample, scored_pairs

    tickets = read_tickets(args.data_dir)
    if not tickets:
        raise FileNotFoundError(f"no Traffy tickets under {args.data_dir}")
    pairs = list(scored_pairs(tickets))
    if args.sample:
        # for the labeller: a stratified sample with both texts, to fill bench/similar_labels.csv
        _print(
            [
                {**dataclasses.asdict(p), "text_a": tickets[p.a][2], "text_b": tickets[p.b][2]}
                for p in sample(pairs, args.sample)
            ]
        )
        return
    _print(evaluate(pairs, read_labels(args.labels), args.threshold) | {"labels": str(args.labels)})


def _data_args(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument("--data", required=required, help="CSV of labelled texts")
    p.add_argument("--text-col", default="text")
    p.add_argument("--label-col", default="category")
    p.add_argument(
        "--agency-col",
        default=None,
        help="column with the acting agency (default: agency_type or agency_group when present; '' for none)",
    )
    p.add_argument(
        "--channel-col",
        default=None,
        help="column with the intake channel each complaint came through (line, web, api), for per-channel "
        "weights; only when named (evaluate: the model's own by default). 'source' is refused: it says where "
        "the data was collected",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nlp", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train a classifier from a CSV")
    _data_args(p)
    p.add_argument("--out", required=True, type=Path, help="model directory to write")
    p.add_argument("--threshold", type=float, default=0.45, help="confidence below which a result is unsure")
    p.add_argument(
        "--sure-accuracy",
        type=float,
        default=None,
        help="instead of --threshold: the lowest confidence at which a held-out fifth is right this often (e.g. 0.9)",
    )
    p.add_argument("--lexical-only", action="store_true", help="without the sentence-encoder target")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="score a trained model on a labelled CSV")
    p.add_argument("--model", required=True, type=Path)
    _data_args(p)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("classify", help="classify one text")
    p.add_argument("--model", type=Path, help="model directory (default: the shipped default model)")
    p.add_argument("--channel", default="", help="channel the text came through (line, web, ...)")
    p.add_argument("text")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("cross-validate", help="stratified k-fold CV of train + evaluate")
    _data_args(p, required=False)
    p.add_argument("--folds", type=int, default=5)
    p.set_defaults(func=cmd_cross_validate)

    p = sub.add_parser("faq-eval", help="precision/recall/no-answer accuracy of the FAQ retriever")
    p.add_argument("--data", required=True, help="CSV with columns question, expected_id")
    p.set_defaults(func=cmd_faq_eval)

    p = sub.add_parser("faq-calibrate", help="the FAQ's semantic weight and no-answer threshold for a dev set")
    p.add_argument("--data", required=True, help="chat-eval CSV (question, kind, entry) or faq-eval CSV")
    p.set_defaults(func=cmd_faq_calibrate)

    p = sub.add_parser("faq", help="answer one question from the FAQ")
    p.add_argument("question")
    p.set_defaults(func=cmd_faq)

    p = sub.add_parser("chat-eval", help="run the real dialogue on a CSV of questions and complaints")
    p.add_argument("--data", required=True, help="CSV with columns question, lang, kind (question|complaint), expect")
    p.add_argument("--max-misses", type=int, default=None, help="list at most this many misses")
    p.set_defaults(func=cmd_chat_eval)

    p = sub.add_parser("understand", help="question, complaint, both, tracking, menu or small talk, for one text")
    p.add_argument("text")
    p.set_defaults(func=cmd_understand)

    p = sub.add_parser("intent", help="detect the chat intent of one text")
    p.add_argument("text")
    p.set_defaults(func=cmd_intent)

    p = sub.add_parser("similar-eval", help="precision/recall of similar-case detection on hand-labelled Traffy pairs")
    p.add_argument("--data-dir", type=Path, default=Path("../shared/data"), help="folder of the shared Traffy CSVs")
    p.add_argument("--labels", type=Path, default=Path("bench/similar_labels.csv"))
    p.add_argument("--threshold", type=float, default=None, help="a band boundary (default: nlp.similar.THRESHOLD)")
    p.add_argument("--sample", type=int, default=0, help="print N pairs per score band to label, instead")
    p.set_defaults(func=cmd_similar_eval)

    p = sub.add_parser("export-training", help="write the shipped training set as one CSV")
    p.add_argument("--out", required=True, type=Path)
    p.set_defaults(func=cmd_export_training)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (ValueError, FileNotFoundError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
