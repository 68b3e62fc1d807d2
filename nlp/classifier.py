"""The complaint classifier: what a complaint is about (category) and who should act on it (agency
type), with calibrated confidence, a top 3, and an "unsure" flag that sends doubtful cases to a
human.

This module owns the model (features, training, saving, loading) and the shipped default model's
cache. Features are word 1-2-grams over PyThaiNLP newmm tokens, widened by the bilingual gazetteer
(``nlp.lexicon``) so English text lands on the same features as Thai, plus character 1-4-grams
for typos and spelling variants. Word n-grams seen in only one training text are dropped
(min_df=2): they are mostly typos, names and addresses that never recur. Each target is a
class-balanced multinomial logistic regression; its softmax scores, temperature-scaled on a
held-out fifth of the training data, are the reported probabilities.

A second, semantic target reads the multilingual sentence encoder's vector of the text
(``nlp.encoder``: Thai and English paraphrases land near each other) with its own logistic
regression, and the two category distributions are blended. The lexical model knows how Thai
complaints are worded; the encoder carries a topic across languages, which the gazetteer alone
does not (on our held-out English complaints about Bangkok's topics, scored by a model trained
on Thai tickets only: macro-F1 0.54 lexical, 0.76 blended). So the encoder's weight grows with
the share of Latin letters in the text: ``SEMANTIC_WEIGHT_THAI`` for Thai,
``SEMANTIC_WEIGHT_ENGLISH`` for English, in between for code-switched text (weights chosen on
cross-validation of the shared Thai tickets and on our English/code-switched development set,
``data/bangkok_topics_en_mixed.csv``).

When the training texts say which intake channel each complaint came through (LINE, web, a call
centre; a column named explicitly, never where the data was collected), every channel with enough
examples also gets its own copy of the features ("frustratingly easy" domain adaptation, Daumé
2007): the model learns weights shared by all channels plus, per channel, how that channel's
complaints are worded and labelled. A text from a channel the model has not seen uses the shared
weights alone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import joblib
import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from nlp.lexicon import expansion
from nlp.taxonomy import DEFAULT_AGENCY_TYPE, FALLBACK_CATEGORY
from nlp.text import REPO_ROOT, TextError, detect_language, has_content, normalize, tokenize
from nlp.training_data import LabelledText, load_shipped, shipped_fingerprint

# Bump when features or model change, so cached default models are rebuilt.
MODEL_VERSION = "5"
DEFAULT_THRESHOLD = 0.45
# A channel needs this many training texts for weights of its own; rarer ones use the shared weights.
MIN_CHANNEL_EXAMPLES = 20
MODEL_FILE, META_FILE = "model.joblib", "meta.json"
# The semantic target's share of the blended category probabilities, for all-Thai and all-Latin text.
SEMANTIC_WEIGHT_THAI, SEMANTIC_WEIGHT_ENGLISH = 0.2, 0.5
# The encoder reads at most this many characters: the topic is stated early, and long tickets
# would otherwise cost tens of milliseconds (classify must stay well under 30 ms at p99).
SEMANTIC_CHARS = 200


@dataclass(frozen=True)
class Classification:
    category: str  # one of nlp.taxonomy.CATEGORIES for the default model
    confidence: float  # probability of the top category, 0..1
    unsure: bool  # below the threshold, "other", or nothing usable in the input
    top: list[tuple[str, float]]  # top 3 (category, probability)
    agency_type: str  # predicted responsible agency type (nlp.taxonomy.AGENCY_TYPES)
    agency_confidence: float
    language: str  # "th" | "en" | "mixed" | "unknown"


class ComplaintClassifier(Protocol):
    def classify(self, text: str, channel: str = "") -> Classification: ...


@dataclass
class Features:
    """Text -> sparse matrix: newmm word n-grams (plus gazetteer expansion) and char n-grams, with a
    copy per channel when the model was trained with channels."""

    words: TfidfVectorizer = field(
        default_factory=lambda: TfidfVectorizer(
            tokenizer=str.split,
            token_pattern=None,
            lowercase=False,
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=2,
        )
    )
    chars: TfidfVectorizer = field(
        default_factory=lambda: TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=2)
    )
    channels: tuple[str, ...] = ()  # the channels with weights of their own; empty: text only
    # Where a shared column lands in each channel's block (-1: never seen in that channel's training
    # texts, so its weight would be zero anyway). Leaving those columns out gives the same model with
    # fewer columns (186,000 instead of 302,000 on the shared data) and trains 15% faster.
    block_columns: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int32))
    width: int = 0  # columns in all, shared and per channel

    @staticmethod
    def documents(texts: Sequence[str]) -> tuple[list[str], list[str]]:
        word_docs, char_docs = [], []
        for clean in texts:
            extra = expansion(clean)
            word_docs.append(" ".join(tokenize(clean)) + " " + extra)
            char_docs.append(clean)
        return word_docs, char_docs

    def fit_transform(self, texts: Sequence[str], channels: Sequence[str] | None = None) -> sp.csr_matrix:
        words, chars = self.documents(texts)
        X = sp.hstack([self.words.fit_transform(words), self.chars.fit_transform(chars)]).tocsr()
        of_row = np.array(channels or [""] * X.shape[0], dtype=object)
        own = sorted(ch for ch, n in Counter(of_row).items() if ch and n >= MIN_CHANNEL_EXAMPLES)
        # One channel alone has nothing to be told apart from: its copy would only loosen the fit.
        self.channels = tuple(own) if len(own) >= 2 else ()
        self.block_columns = np.full((len(self.channels), X.shape[1]), -1, dtype=np.int32)
        taken = X.shape[1]
        for i, channel in enumerate(self.channels):
            seen = np.unique(X[of_row == channel].indices)
            self.block_columns[i, seen] = np.arange(taken, taken + len(seen), dtype=np.int32)
            taken += len(seen)
        self.width = taken
        return self.by_channel(X, channels)

    def transform(self, texts: Sequence[str], channels: Sequence[str] | None = None) -> sp.csr_matrix:
        words, chars = self.documents(texts)
        X = sp.hstack([self.words.transform(words), self.chars.transform(chars)]).tocsr()
        return self.by_channel(X, channels)

    def by_channel(self, X: sp.csr_matrix, channels: Sequence[str] | None) -> sp.csr_matrix:
        """[shared | block of channel 1 | ... | block of channel k]: a row's features are copied into
        its own channel's block; the other blocks (all of them for an unknown channel) stay empty."""
        if not self.channels:
            return X
        n = X.shape[0]
        block = {ch: i for i, ch in enumerate(self.channels)}
        slot = np.array([block.get(ch, -1) for ch in (channels or [""] * n)], dtype=np.int64)
        rows = np.repeat(np.arange(n), np.diff(X.indptr))
        target = np.where(slot[rows] >= 0, self.block_columns[np.maximum(slot[rows], 0), X.indices], -1)
        copied = target >= 0
        data = np.concatenate([X.data, X.data[copied]])
        cols = np.concatenate([X.indices, target[copied]])
        all_rows = np.concatenate([rows, rows[copied]])
        return sp.csr_matrix((data, (all_rows, cols)), shape=(n, self.width))


@dataclass
class Target:
    """One predicted label set (category or agency) with its temperature for calibration."""

    model: LogisticRegression
    temperature: float = 1.0

    @property
    def labels(self) -> np.ndarray:
        return self.model.classes_

    def proba(self, X: sp.csr_matrix) -> np.ndarray:
        logits = self.model.decision_function(X) / self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


# Vectors of training texts, kept so that cross-validation and calibration (which train on the same
# texts again and again) encode each text once. Classification never fills it; bounded all the same.
_TRAINING_VECTORS: dict[str, np.ndarray] = {}
_TRAINING_VECTORS_MAX = 50_000


def _encode(texts: Sequence[str], remember: bool = False) -> np.ndarray:
    from nlp.encoder import DIMENSIONS, load_encoder  # numpy only, weights from the installed package

    heads = [t[:SEMANTIC_CHARS] for t in texts]
    if not remember:
        return load_encoder().encode(heads)
    missing = sorted({h for h in heads if h not in _TRAINING_VECTORS})
    if len(_TRAINING_VECTORS) + len(missing) > _TRAINING_VECTORS_MAX:
        _TRAINING_VECTORS.clear()
        missing = sorted(set(heads))
    for head, vector in zip(missing, load_encoder().encode(missing)):
        _TRAINING_VECTORS[head] = vector
    return np.array([_TRAINING_VECTORS[h] for h in heads], dtype=np.float32).reshape(len(heads), DIMENSIONS)


@dataclass
class SemanticTarget:
    """The category read from the sentence encoder's vector (dense, 512 columns)."""

    model: LogisticRegression

    @property
    def labels(self) -> np.ndarray:
        return self.model.classes_

    def proba(self, vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Probabilities in the order of ``labels`` (the lexical target's), 0 for a label unseen here."""
        p = self.model.predict_proba(vectors)
        out = np.zeros((len(vectors), len(labels)))
        where = {label: i for i, label in enumerate(self.model.classes_)}
        for j, label in enumerate(labels):
            if label in where:
                out[:, j] = p[:, where[label]]
        return out


def _fit_semantic(vectors: np.ndarray, y: np.ndarray) -> SemanticTarget:
    # Dense and small: lbfgs to convergence; balanced for the same reason as the lexical target.
    model = LogisticRegression(C=4.0, max_iter=1000, class_weight="balanced")
    model.fit(vectors, y)
    return SemanticTarget(model)


_THAI_LETTER, _LATIN_LETTER = re.compile("[\u0e01-\u0e4e]"), re.compile("[A-Za-z]")


def latin_share(clean: str) -> float:
    """The share of Latin among the Thai and Latin letters of a text (0 when it has neither)."""
    thai, latin = len(_THAI_LETTER.findall(clean)), len(_LATIN_LETTER.findall(clean))
    return latin / (thai + latin) if thai + latin else 0.0


def semantic_weight(clean: str) -> float:
    """How much the encoder's view counts for this text: more the more of it is in Latin letters."""
    return SEMANTIC_WEIGHT_THAI + (SEMANTIC_WEIGHT_ENGLISH - SEMANTIC_WEIGHT_THAI) * latin_share(clean)


def _fit_target(X: sp.csr_matrix, y: np.ndarray, C: float) -> Target:
    # Balanced class weights because topics and agencies are very unequal in number and every one
    # matters (macro-F1); measured on the shared data it also raises agency accuracy. The SAG
    # solver is ~8x faster than lbfgs on these wide sparse matrices and, with a fixed
    # random_state, just as deterministic.
    model = LogisticRegression(C=C, max_iter=40, tol=1e-3, class_weight="balanced", solver="sag", random_state=0)
    with warnings.catch_warnings():
        # Stopping after 40 epochs is intended: measured on the shared data, macro-F1 is the same
        # as at full convergence (which takes twice as long).
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return Target(model)


@dataclass
class TrainedClassifier:
    """A trained model: features, the category target and (optionally) the agency target."""

    features: Features
    category: Target
    agency: Target | None
    threshold: float = DEFAULT_THRESHOLD
    meta: dict = field(default_factory=dict)
    semantic: SemanticTarget | None = None  # None: the lexical model alone

    def category_proba(self, cleaned: Sequence[str], X: sp.csr_matrix) -> np.ndarray:
        """Blended category probabilities (columns in ``self.category.labels`` order)."""
        lexical = self.category.proba(X)
        if self.semantic is None:
            return lexical
        semantic = self.semantic.proba(_encode(cleaned), self.category.labels)
        w = np.array([semantic_weight(c) for c in cleaned])[:, None]
        return (1.0 - w) * lexical + w * semantic

    def classify(self, text: str, channel: str = "") -> Classification:
        return self.classify_many([text], [channel])[0]

    def classify_many(self, texts: Sequence[str], channels: Sequence[str] | None = None) -> list[Classification]:
        """``channels`` (one per text, "" when unknown) matters only to a model trained with channels."""
        cleaned = [normalize(t) for t in texts]  # raises TextError on non-str
        usable = [i for i, c in enumerate(cleaned) if has_content(c)]
        results: list[Classification | None] = [None] * len(texts)
        if usable:
            texts = [cleaned[i] for i in usable]
            X = self.features.transform(texts, [channels[i] for i in usable] if channels else None)
            cat_p = self.category_proba(texts, X)
            agency_p = self.agency.proba(X) if self.agency is not None else None
            for row, i in enumerate(usable):
                results[i] = self._result(cleaned[i], cat_p[row], None if agency_p is None else agency_p[row])
        return [r if r is not None else self._unusable(cleaned[i]) for i, r in enumerate(results)]

    def _result(self, clean: str, cat_p: np.ndarray, agency_p: np.ndarray | None) -> Classification:
        order = np.argsort(-cat_p, kind="stable")[:3]
        top = [(str(self.category.labels[j]), round(float(cat_p[j]), 4)) for j in order]
        category, confidence = top[0]
        if agency_p is not None:
            k = int(np.argmax(agency_p))
            agency, agency_conf = str(self.agency.labels[k]), float(agency_p[k])
        else:
            agency, agency_conf = DEFAULT_AGENCY_TYPE.get(category, ""), confidence
        unsure = confidence < self.threshold or category == FALLBACK_CATEGORY
        return Classification(category, confidence, unsure, top, agency, round(agency_conf, 4), detect_language(clean))

    def _unusable(self, clean: str) -> Classification:
        # Nothing to classify (empty, only emoji or punctuation): an honest "don't know".
        category = FALLBACK_CATEGORY if FALLBACK_CATEGORY in self.category.labels else str(self.category.labels[0])
        return Classification(
            category, 0.0, True, [(category, 0.0)], DEFAULT_AGENCY_TYPE.get(category, ""), 0.0, detect_language(clean)
        )

    # --- persistence -------------------------------------------------------------------------
    def save(self, directory: Path | str) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, directory / MODEL_FILE, compress=0)
        (directory / META_FILE).write_text(json.dumps(self.meta, ensure_ascii=False, indent=2), encoding="utf-8")


Fitted = tuple[Features, Target, Target | None, SemanticTarget | None]


def _fit(texts: Sequence[str], examples: Sequence[LabelledText], C: float, vectors: np.ndarray | None) -> Fitted:
    features = Features()
    X = features.fit_transform(texts, [ex.channel for ex in examples])
    y = np.array([ex.category for ex in examples])
    category = _fit_target(X, y, C)
    semantic = _fit_semantic(vectors, y) if vectors is not None else None
    with_agency = [i for i, ex in enumerate(examples) if ex.agency_type]
    agency = None
    if len({examples[i].agency_type for i in with_agency}) >= 2:
        agency = _fit_target(X[with_agency], np.array([examples[i].agency_type for i in with_agency]), C)
    return features, category, agency, semantic


def _temperature(target: Target, X: sp.csr_matrix, truth: Sequence[str]) -> float:
    """The temperature that minimises held-out log-loss (temperature scaling, one parameter)."""
    known = {label: i for i, label in enumerate(target.labels)}
    rows = [r for r, label in enumerate(truth) if label in known]
    if len(rows) < 20:
        return 1.0
    logits = target.model.decision_function(X[rows])
    index = np.array([known[truth[r]] for r in rows])

    def nll(log_t: float) -> float:
        z = logits / np.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(index)), index]))

    best = minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded")
    return round(float(np.exp(best.x)), 4)


def sure_threshold(confidence: np.ndarray, correct: np.ndarray, accuracy: float) -> float | None:
    """The lowest confidence above which held-out results are right at least ``accuracy`` of the
    time (with at least 20 of them), or None when no such threshold exists."""
    order = np.argsort(-confidence, kind="stable")
    running = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    ok = np.where((running >= accuracy) & (np.arange(1, len(order) + 1) >= 20))[0]
    return round(float(confidence[order][ok.max()]), 4) if len(ok) else None


def _calibrate(
    texts: list[str],
    examples: Sequence[LabelledText],
    C: float,
    vectors: np.ndarray | None,
    sure_accuracy: float | None,
) -> tuple[float, float, float | None]:
    # Probabilities of a model scored on its own training texts are meaningless, so a copy is
    # trained on 80% (stratified, fixed seed) and the temperatures (and, when asked, the threshold
    # that gives the wanted accuracy when sure) are fitted on the other 20%.
    labels = [ex.category for ex in examples]
    counts = {label: labels.count(label) for label in set(labels)}
    if len(examples) < 100 or min(counts.values()) < 2:
        return 1.0, 1.0, None
    fit_idx, held_idx = train_test_split(np.arange(len(examples)), test_size=0.2, stratify=labels, random_state=0)
    features, category, agency, semantic = _fit(
        [texts[i] for i in fit_idx], [examples[i] for i in fit_idx], C, None if vectors is None else vectors[fit_idx]
    )
    held_texts = [texts[i] for i in held_idx]
    X_held = features.transform(held_texts, [examples[i].channel for i in held_idx])
    truth = [examples[i].category for i in held_idx]
    t_category = _temperature(category, X_held, truth)
    t_agency = _temperature(agency, X_held, [examples[i].agency_type for i in held_idx]) if agency else 1.0
    threshold = None
    if sure_accuracy is not None:
        category.temperature = t_category
        copy = TrainedClassifier(features, category, agency, semantic=semantic)
        p = copy.category_proba(held_texts, X_held)
        correct = category.labels[p.argmax(axis=1)] == np.array(truth)
        threshold = sure_threshold(p.max(axis=1), correct, sure_accuracy)
    return t_category, t_agency, threshold


def train(
    examples: Sequence[LabelledText],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    C: float = 20.0,
    calibrate: bool = True,
    semantic: bool = True,
    sure_accuracy: float | None = None,
) -> TrainedClassifier:
    """Train deterministically (same examples in the same order -> same model), with temperatures
    fitted on a held-out fifth so that the reported confidence matches observed accuracy.

    ``semantic``: add the sentence-encoder target (see the module docstring). ``sure_accuracy``
    (e.g. 0.9): instead of ``threshold``, use the lowest confidence at which the held-out fifth was
    right that often when sure; ``threshold`` stays when the data cannot reach it (``meta`` says)."""
    if len({ex.category for ex in examples}) < 2:
        raise ValueError("training needs at least two different labels")
    started = time.perf_counter()
    texts = [normalize(ex.text) for ex in examples]
    vectors = _encode(texts, remember=True) if semantic else None
    t_category, t_agency, fitted_threshold = (
        _calibrate(texts, examples, C, vectors, sure_accuracy) if calibrate else (1.0, 1.0, None)
    )
    if fitted_threshold is not None:
        threshold = fitted_threshold
    features, category, agency, semantic_target = _fit(texts, examples, C, vectors)
    category.temperature = t_category
    if agency is not None:
        agency.temperature = t_agency
    meta = {
        "model_version": MODEL_VERSION,
        "n_examples": len(examples),
        "categories": sorted({ex.category for ex in examples}),
        "agency_types": sorted({ex.agency_type for ex in examples if ex.agency_type}),
        "channels": list(features.channels),
        "threshold": threshold,
        "sure_accuracy_asked": sure_accuracy,
        "sure_accuracy_reached_on_held_out_fifth": None if sure_accuracy is None else fitted_threshold is not None,
        "semantic": semantic_target is not None,
        "temperature": {"category": t_category, "agency": t_agency},
        "train_seconds": round(time.perf_counter() - started, 3),
    }
    return TrainedClassifier(features, category, agency, threshold, meta, semantic_target)


def load(directory: Path | str) -> TrainedClassifier:
    """Load a model saved by ``TrainedClassifier.save`` (or ``python -m nlp train``)."""
    path = Path(directory) / MODEL_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no model at {path}; train one with `python -m nlp train`")
    model = joblib.load(path)
    if not isinstance(model, TrainedClassifier):
        raise ValueError(f"{path} does not hold a complaint classifier")
    return model


def default_model_dir() -> Path:
    return Path(os.environ.get("NLP_MODEL_DIR") or REPO_ROOT / "var" / "nlp-model")


@lru_cache(maxsize=1)
def load_default() -> ComplaintClassifier:
    """The model the product classifies with: the one at env NLP_MODEL when a deployment has trained
    its own (``python -m nlp train`` on its case history, with its channels), else the shipped
    default model, trained (deterministically, < 10 s) from the project's own training set into a
    cache dir on first use. Cache dir: env NLP_MODEL_DIR, default <repo>/var/nlp-model. Safe from
    several processes at once: each trains into its own temp dir and renames it into place; a loser
    of the race discards its copy and loads the winner's."""
    if os.environ.get("NLP_MODEL"):
        return load(os.environ["NLP_MODEL"])
    root = default_model_dir()
    target = root / f"default-v{MODEL_VERSION}-{shipped_fingerprint()[:16]}"
    if (target / MODEL_FILE).is_file():
        return load(target)
    root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".training-", dir=root))
    try:
        model = train(load_shipped())
        model.meta["source"] = "shipped training set"
        model.save(scratch)
        try:
            os.rename(scratch, target)  # atomic on one filesystem; fails if another process won
        except OSError:
            if not (target / MODEL_FILE).is_file():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return load(target)


__all__ = [
    "Classification",
    "ComplaintClassifier",
    "TextError",
    "TrainedClassifier",
    "default_model_dir",
    "load",
    "load_default",
    "train",
]
