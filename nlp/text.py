"""Text handling for what citizens actually type: Unicode normalisation, language detection and
tokenisation.

This module owns the single definition of "clean text" used by the classifier, the FAQ retriever and
intent detection, so the three always see the same tokens. Normalisation is NFC, strips zero-width
and control characters, maps Thai digits to Arabic, folds long runs of a repeated character, drops
the repetition mark ``ๆ`` and (by default) emoji. Tokenisation is PyThaiNLP ``newmm`` with its
dictionary from the installed package; ``PYTHAINLP_DATA`` is pointed at ``<repo>/var/pythainlp``
before pythainlp is imported, and ``PYTHAINLP_READ_ONLY`` is set, so nothing is ever written to
the home folder (both only when the caller has not set them).
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# Must happen before the first pythainlp import anywhere in the process.
os.environ.setdefault("PYTHAINLP_DATA", str(REPO_ROOT / "var" / "pythainlp"))
os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")

from pythainlp.tokenize import word_tokenize  # noqa: E402  (env must be set first)

# Longer inputs are cut before tokenising: a complaint's topic is always stated early, and the cut
# keeps a 100 KB paste from costing seconds of newmm time.
MAX_CHARS = 4000

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Zero-width space/joiners, BOM, soft hyphen, word joiner, bidi marks.
_INVISIBLE = re.compile("[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\u00ad]")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff\ufe0f\u20e3\U000e0000-\U000e007f]")
# Three or more of the same non-digit character ("มากกกก", "pleaseeee") carry emphasis, not meaning;
# digits are left alone because "1000" is a number.
_REPEATS = re.compile(r"([^\d])\1{2,}")
_SPACES = re.compile(r"\s+")
_THAI_CHAR = re.compile("[\u0e01-\u0e4e]")
_LATIN_CHAR = re.compile("[A-Za-z]")
_WORD_CHAR = re.compile(r"\w", re.UNICODE)


class TextError(ValueError):
    """The input cannot be treated as text (wrong type); callers turn it into a clear message."""


def _drop_surrogates(text: str) -> str:
    # Lone surrogates (from broken UTF-16 in JSON or a LINE payload) cannot be encoded; drop them
    # instead of letting a later .encode() raise far from here.
    return text.encode("utf-8", "ignore").decode("utf-8") if _has_surrogates(text) else text


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def normalize(text: str, *, keep_emoji: bool = False, max_chars: int | None = MAX_CHARS) -> str:
    """Return the canonical form of ``text`` used for features and matching (case-folded)."""
    if not isinstance(text, str):
        raise TextError(f"expected str, got {type(text).__name__}")
    if max_chars is not None:
        text = text[: max_chars * 2]  # generous pre-cut; the precise cut happens after cleaning
    text = _drop_surrogates(text)
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    # Control characters (category Cc) except whitespace become spaces.
    text = "".join(" " if unicodedata.category(ch) == "Cc" and not ch.isspace() else ch for ch in text)
    text = text.translate(_THAI_DIGITS)
    if not keep_emoji:
        text = _EMOJI.sub(" ", text)
    # Sara am written as nikhahit + sara aa (a common keyboard habit) reads the same.
    text = text.replace("\u0e4d\u0e32", "\u0e33")
    text = text.replace("ๆ", " ")
    text = _REPEATS.sub(r"\1", text)
    text = _SPACES.sub(" ", text).strip().casefold()
    if max_chars is not None:
        text = text[:max_chars]
    return text


def detect_language(text: str) -> str:
    """Return "th", "en", "mixed" or "unknown" from the share of Thai and Latin letters."""
    thai = len(_THAI_CHAR.findall(text))
    latin = len(_LATIN_CHAR.findall(text))
    total = thai + latin
    if total == 0:
        return "unknown"
    if thai / total >= 0.8:
        return "th"
    if latin / total >= 0.8:
        return "en"
    return "mixed"


def has_content(text: str) -> bool:
    """True when the normalised text holds at least two letters or digits to classify."""
    return len(_WORD_CHAR.findall(text)) >= 2


@lru_cache(maxsize=4096)
def _tokenize_cached(text: str) -> tuple[str, ...]:
    tokens = word_tokenize(text, engine="newmm", keep_whitespace=False)
    return tuple(t for t in (tok.strip() for tok in tokens) if t and _WORD_CHAR.search(t))


def tokenize(text: str) -> list[str]:
    """newmm tokens of already-normalised text, without whitespace and punctuation-only tokens."""
    if not text:
        return []
    return list(_tokenize_cached(text))
