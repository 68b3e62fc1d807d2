"""How alike two complaints' texts are: the one measure behind "similar complaints together" (issue 14
part 5), the same for Thai and English.

A text becomes two TF-IDF views, both over `nlp.text.normalize`d text: PyThaiNLP newmm word tokens
(unigrams and bigrams: "ไฟ ถนน ดับ", "street light out") and character 3-5-grams within words, which
catch the same place written with or without spaces and English typed in any case or with typos. The
score is the cosine of the two views joined with equal weight, in [0, 1]. The inverse document
frequency is fitted on the texts being compared (a case and the open cases of its area and category),
so what every complaint of that kind says ("ร้องเรียน", "ช่วยด้วย", "please fix") weighs little and
the name of the soi or the landmark weighs a lot. `THRESHOLD` was chosen on the hand-labelled pairs
of the shared Traffy data (`python -m nlp similar-eval`; README, "Similar complaints")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2

from nlp.text import normalize, tokenize

THRESHOLD = 0.35
# Only the start of a long complaint: the problem and the place are said early (as in `nlp.text`).
MAX_CHARS = 1500


@dataclass(frozen=True)
class Match:
    index: int  # position in the candidates given
    score: float


def _clean(text: str) -> str:
    return normalize(text or "", max_chars=MAX_CHARS)


def similarity_matrix(texts: list[str]) -> np.ndarray:
    """Pairwise scores of `texts` (symmetric, 1 on the diagonal for a text with any letters)."""
    if not texts:
        return np.zeros((0, 0))
    clean = [_clean(t) for t in texts]
    views = []
    for vectorizer in (
        TfidfVectorizer(analyzer=_word_pairs, sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True),
    ):
        try:
            views.append(l2(vectorizer.fit_transform(clean)))
        except ValueError:  # nothing to count (no words at all): that view adds nothing
            continue
    if not views:
        return np.zeros((len(texts), len(texts)))
    joined = l2(hstack(views).tocsr())
    return np.clip((joined @ joined.T).toarray(), 0.0, 1.0)


def _word_pairs(text: str) -> list[str]:
    words = tokenize(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def similar(text: str, candidates: list[str], threshold: float = THRESHOLD) -> list[Match]:
    """The candidates at least `threshold` alike to `text`, most alike first."""
    if not candidates:
        return []
    scores = similarity_matrix([text, *candidates])[0, 1:]
    found = [Match(i, float(s)) for i, s in enumerate(scores) if s >= threshold]
    return sorted(found, key=lambda m: -m.score)
