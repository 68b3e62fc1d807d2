"""The FAQ retriever: answers a citizen's question from the knowledge base in
``nlp/data/faq.yaml`` (Thai and English), or returns None when nothing is close enough, so the
chatbot can offer to leave the question for an officer.

This module owns loading the knowledge base, matching and the no-answer threshold, and the
``faq-eval`` figures. Matching blends two similarities: lexical (TF-IDF over newmm
tokens plus character n-grams, widened by the bilingual gazetteer so "street light" meets "ไฟถนน")
and semantic (the multilingual sentence encoder of ``nlp.encoder``, which carries a question across
wording and language); an entry's score is the weighted sum of its best paraphrase by each. Entries whose answer
differs per center carry ``center_fact`` (phone, hours, address, email, map or all): the chat fills
those facts from the directory's record of the center asked about.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from nlp.lexicon import expansion
from nlp.text import detect_language, has_content, normalize, tokenize

FAQ_FILE = Path(__file__).resolve().parent / "data" / "faq.yaml"
# Below this cosine similarity the retriever says "I don't know"; chosen on nlp/data/faq_eval.csv
# so that out-of-scope questions are refused while paraphrases still match.
DEFAULT_THRESHOLD = 0.40
# With the encoder, an entry's score is SEMANTIC_WEIGHT * encoder cosine + the rest * lexical cosine;
# weight and threshold calibrated on the development set nlp/data/chat_eval_dev.csv
# (``python -m nlp faq-calibrate``): the pair that answers the most in-scope questions with the right
# entry while refusing at least MIN_REFUSED of the out-of-scope ones.
SEMANTIC_WEIGHT = 0.7
HYBRID_THRESHOLD = 0.41
# Calibration keeps at least this share of out-of-scope questions refused ("I don't know, leave it for
# an officer?"), and within that answers as many in-scope questions rightly as it can.
MIN_REFUSED = 0.85
_WORD_WEIGHT = 1.0
CENTER_FACTS = ("phone", "hours", "address", "email", "map", "all")


@dataclass(frozen=True)
class FaqAnswer:
    id: str
    question: str  # the knowledge base's wording of the question, in the asker's language
    answer: str  # in the asker's language
    links: list[dict] = field(default_factory=list)  # [{"title": ..., "url": ...}]
    image: str | None = None
    score: float = 0.0
    center_fact: str | None = None  # one of CENTER_FACTS: the directory's record of a center completes it
    office: str = ""  # the office responsible for what the answer describes, in the asker's language
    lang: str = "th"


@dataclass(frozen=True)
class FaqEntry:
    id: str
    questions: dict[str, list[str]]
    answer: dict[str, str]
    links: list[dict]
    image: str | None
    center_fact: str | None = None
    office: dict[str, str] = field(default_factory=dict)  # {"th": ..., "en": ...}


def load_entries(path: Path = FAQ_FILE) -> list[FaqEntry]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = []
    for item in raw:
        fact = item.get("center_fact")
        if fact is not None and fact not in CENTER_FACTS:
            raise ValueError(f"FAQ entry {item['id']}: center_fact {fact!r} is not one of {CENTER_FACTS}")
        office = item.get("office") or {}
        entries.append(
            FaqEntry(
                id=str(item["id"]),
                questions={lang: list(item["questions"].get(lang, [])) for lang in ("th", "en")},
                answer={lang: str(item["answer"][lang]) for lang in ("th", "en")},
                links=[{"title": str(link["title"]), "url": str(link["url"])} for link in item.get("links", [])],
                image=item.get("image"),
                center_fact=fact,
                office={lang: str(office.get(lang, "")) for lang in ("th", "en")},
            )
        )
    return entries


# Question words ("what is", "เท่าไหร่", "ได้ไหม") are shared by in- and out-of-scope questions
# alike; matching on them makes "what is the weather" look like "what is the hotline".
_EN_STOPWORDS = frozenset(
    "a an the is are am was were be do does did i me my we our you your it its this that what which who "
    "whom when where why how can could should would will to of in on at for from with about and or "
    "please any some there here have has had get got not no".split()
)


# Words PyThaiNLP lists as stopwords that tell this knowledge base's entries apart: moving in (เข้า)
# from out (ออก), a birth (เกิด) from a death, a first (แรก) or new (ใหม่) card from a renewal, opening
# hours (เปิด, ปิด), a delay (ช้า, นาน), adding (เพิ่ม) and results (ผล).
_DOMAIN_WORDS = frozenset("เข้า ออก เกิด ใหม่ แรก เสีย ช้า นาน ปิด เปิด วัน ต่อ เพิ่ม ผล".split())


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from pythainlp.corpus import thai_stopwords

    return (frozenset(thai_stopwords()) | _EN_STOPWORDS) - _DOMAIN_WORDS


def _document(clean: str) -> str:
    stop = _stopwords()
    words = [t for t in tokenize(clean) if t not in stop]
    return " ".join(words) + " " + expansion(clean)


class FaqRetriever:
    """Nearest-paraphrase retrieval over the knowledge base; lexical only without an encoder."""

    def __init__(
        self,
        entries: list[FaqEntry],
        threshold: float | None = None,
        encoder=None,
        semantic_weight: float = SEMANTIC_WEIGHT,
    ):
        self.entries = entries
        self.encoder = encoder
        self.semantic_weight = semantic_weight if encoder is not None else 0.0
        default = HYBRID_THRESHOLD if encoder is not None else DEFAULT_THRESHOLD
        self.threshold = default if threshold is None else threshold
        texts, self._owner = [], []
        for index, entry in enumerate(entries):
            for lang in ("th", "en"):
                for question in entry.questions[lang]:
                    texts.append(normalize(question))
                    self._owner.append(index)
        self._owner = np.array(self._owner)
        self._words = TfidfVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False, sublinear_tf=True)
        self._chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        self._matrix = self._stack(
            self._words.fit_transform([_document(t) for t in texts]), self._chars.fit_transform(texts)
        )
        self._vectors = encoder.encode(texts) if encoder is not None else None
        # A chat turn scores one question: build its TF-IDF row by hand from the fitted vocabularies
        # (sklearn's transform spends ~10 ms a call validating its input), and take the columns it
        # touches from the paraphrase matrix.
        self._columns = self._matrix.tocsc()
        self._parts = (
            (self._words.build_analyzer(), self._words.vocabulary_, self._words.idf_, 0, _WORD_WEIGHT),
            (self._chars.build_analyzer(), self._chars.vocabulary_, self._chars.idf_, len(self._words.idf_), 1.0),
        )

    def _lexical(self, clean: str) -> np.ndarray:
        """Lexical cosine of already-normalised text to every paraphrase (as ``_stack`` of sklearn's
        transforms would give, without their per-call validation)."""
        columns, values = [], []
        for (analyze, vocabulary, idf, offset, weight), doc in zip(self._parts, (_document(clean), clean), strict=True):
            counts: dict[int, int] = {}
            for term in analyze(doc):
                index = vocabulary.get(term)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            index = np.fromiter(counts, dtype=np.int64, count=len(counts))
            tfidf = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[index]
            columns.append(index + offset)
            values.append(tfidf / np.linalg.norm(tfidf) * weight)
        if not columns:
            return np.zeros(self._matrix.shape[0])
        index, value = np.concatenate(columns), np.concatenate(values)
        return self._columns[:, index] @ (value / np.linalg.norm(value))

    @staticmethod
    def _stack(words: sp.csr_matrix, chars: sp.csr_matrix) -> sp.csr_matrix:
        # Content words and character n-grams (which catch typos and spelling variants) weigh the
        # same; then unit length so the dot product is a cosine.
        return l2_normalize(sp.hstack([l2_normalize(words) * _WORD_WEIGHT, l2_normalize(chars)]).tocsr())

    def paraphrase_scores(self, question: str) -> tuple[np.ndarray, np.ndarray]:
        """(lexical, semantic) cosine of ``question`` to every paraphrase; semantic is zeros without
        an encoder. Calibration reweighs these without encoding twice."""
        clean = normalize(question)
        n = len(self._owner)
        if not has_content(clean):
            return np.zeros(n), np.zeros(n)
        lexical = self._lexical(clean)
        if self._vectors is None:
            return lexical, np.zeros(n)
        return lexical, self.encoder.similarities(self._vectors, clean)

    def blend(self, lexical: np.ndarray, semantic: np.ndarray, weight: float | None = None) -> np.ndarray:
        """Per-entry score: the weighted sum of the entry's best lexical and best semantic similarity
        (each over its own paraphrases: one paraphrase may share the words, another the meaning)."""
        weight = self.semantic_weight if weight is None else weight
        best_lexical, best_semantic = np.zeros(len(self.entries)), np.zeros(len(self.entries))
        np.maximum.at(best_lexical, self._owner, lexical)
        np.maximum.at(best_semantic, self._owner, semantic)
        return (1.0 - weight) * best_lexical + weight * best_semantic

    def scores(self, question: str) -> np.ndarray:
        """Best similarity of ``question`` to each entry (one score per entry)."""
        return self.blend(*self.paraphrase_scores(question))

    def answer_for(self, entry_id: str, question: str, score: float = 1.0) -> FaqAnswer | None:
        """Entry ``entry_id``'s answer in ``question``'s language (None when there is no such entry)."""
        index = next((i for i, e in enumerate(self.entries) if e.id == entry_id), None)
        if index is None:
            return None
        entry = self.entries[index]
        lang = "en" if detect_language(normalize(question)) == "en" else "th"
        wording = (entry.questions[lang] or entry.questions["th"] or entry.questions["en"])[0]
        return FaqAnswer(
            entry.id,
            wording,
            entry.answer[lang],
            list(entry.links),
            entry.image,
            round(float(score), 4),
            entry.center_fact,
            entry.office.get(lang, ""),
            lang,
        )

    def answer(self, question: str) -> FaqAnswer | None:
        """The best entry's answer in the question's language, or None below the threshold."""
        per_entry = self.scores(question)
        best = int(np.argmax(per_entry)) if len(per_entry) else -1
        if best < 0 or per_entry[best] < self.threshold:
            return None
        return self.answer_for(self.entries[best].id, question, float(per_entry[best]))


@lru_cache(maxsize=1)
def load_faq() -> FaqRetriever:
    """The retriever over the shipped knowledge base with the sentence encoder (built once per
    process: about a second, most of it loading the encoder's weights from its package)."""
    from nlp.encoder import load_encoder

    return FaqRetriever(load_entries(), encoder=load_encoder())


def evaluate_faq(retriever: FaqRetriever, data: Path | str) -> dict:
    """Precision (answered correctly / answered), recall (answered correctly / answerable) and
    no-answer accuracy (refused / should refuse) on a CSV with columns question, expected_id."""
    with open(data, newline="", encoding="utf-8-sig") as handle:
        rows = [(r["question"], (r.get("expected_id") or "").strip()) for r in csv.DictReader(handle)]
    answered = correct = answerable = refuse_expected = refused_ok = 0
    misses = []
    for question, expected in rows:
        result = retriever.answer(question)
        if expected:
            answerable += 1
        else:
            refuse_expected += 1
            refused_ok += result is None
        if result is not None:
            answered += 1
            correct += result.id == expected
        if (result.id if result else "") != expected:
            misses.append({"question": question, "expected": expected, "got": result.id if result else None})
    return {
        "n": len(rows),
        "precision": round(correct / answered, 4) if answered else 0.0,
        "recall": round(correct / answerable, 4) if answerable else 0.0,
        "no_answer_accuracy": round(refused_ok / refuse_expected, 4) if refuse_expected else 0.0,
        "threshold": retriever.threshold,
        "misses": misses,
    }


def calibrate(retriever: FaqRetriever, rows: list[tuple[str, str]], min_refused: float = MIN_REFUSED) -> dict:
    """The semantic weight and no-answer threshold that answer the most in-scope ``rows`` with the
    right entry while refusing at least ``min_refused`` of the out-of-scope ones. ``rows`` are
    (question, expected entry id, or "" when out of scope). Encodes each question once."""
    pairs = [retriever.paraphrase_scores(question) for question, _ in rows]
    ids = np.array([entry.id for entry in retriever.entries])
    expected = np.array([e for _, e in rows])
    in_scope = expected != ""
    best: dict = {}
    for weight in np.round(np.arange(0.0, 1.01, 0.1), 2):
        per = np.array([retriever.blend(lex, sem, weight) for lex, sem in pairs])
        top, score = ids[per.argmax(axis=1)], per.max(axis=1)
        for threshold in np.round(np.arange(0.25, 0.76, 0.01), 2):
            right = (
                float(np.mean((top == expected)[in_scope] & (score[in_scope] >= threshold))) if in_scope.any() else 0.0
            )
            refused = float(np.mean(score[~in_scope] < threshold)) if (~in_scope).any() else 1.0
            key = (refused >= min_refused, right, refused)
            if not best or key > best["_key"]:
                best = {
                    "_key": key,
                    "semantic_weight": float(weight),
                    "threshold": float(threshold),
                    "answered_right": round(right, 4),
                    "refused_out_of_scope": round(refused, 4),
                }
    best.pop("_key", None)
    best.update(n=len(rows), in_scope=int(in_scope.sum()), min_refused=min_refused)
    return best


def read_labelled(path: Path | str) -> list[tuple[str, str]]:
    """(question, expected entry) from a faq-eval CSV (expected_id) or a chat-eval CSV (kind, entry;
    only its questions)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    if rows and "expected_id" in rows[0]:
        return [(r["question"], (r["expected_id"] or "").strip()) for r in rows]
    return [(r["question"], (r.get("entry") or "").strip()) for r in rows if r.get("kind", "question") == "question"]
