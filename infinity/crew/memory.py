"""A crew member's memory stream: what it saw, did, heard and concluded, and recall by score.

Retrieval follows the Generative Agents paper: score = recency + importance +
relevance, each min-max normalised over the candidates, equal weights.
Recency is 0.995 ** (game hours since the memory was last *accessed*), so
recalling a memory keeps it fresh; the paper's reference code ranks by
position instead, which is not the formula. Everything is a column so one
recall over 10,000 memories is a handful of numpy calls.

Times are simulated seconds (the zone clock the agent lives on).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

import numpy as np
import numpy.typing as npt

from infinity.crew.embed import Embedder, HashedEmbedder, Vectors, words
from infinity.crew.intent import name_forms

RECENCY_DECAY: Final = 0.995  # per game hour since last access
_LOG_DECAY_PER_SECOND: Final = math.log(RECENCY_DECAY) / 3600.0
REFLECTION_THRESHOLD: Final = 150  # summed importance since the last reflection
MAX_TEXT: Final = 500

_TIMES: Final = {2: "twice", 3: "three times", 4: "four times", 5: "five times"}
# What a stretch of days can be about, and how a person says so (`MemoryStream.reflect`).
THEMES: Final = (
    (frozenset({"ore", "mined", "mine", "mining", "rock", "asteroid", "cargo"}),
     "It's been all rock-cutting and ore runs lately. Honest work, for what it pays."),
    (frozenset({"sold", "sell", "credit", "pay", "paid", "price", "share", "trade", "bought"}),
     "Money's been on my mind a lot lately."),
    (frozenset({"shot", "fire", "torpedo", "attack", "attacked", "hit", "beam"}),
     "There's been far too much shooting around me lately."),
    (frozenset({"docked", "dock", "station"}),
     "I've spent more time in dock than in space lately."),
    (frozenset({"said", "told", "talk", "asked", "hello"}),
     "People have had a lot to say to me lately."),
    (frozenset({"order", "ordered", "captain", "refused"}),
     "Orders, orders. The captain has kept us busy lately."),
    (frozenset({"destroyed", "died", "dead", "killed", "wreck"}),
     "Too many ships have died around me lately."),
    (frozenset({"robbed", "stole", "siphon", "siphoned", "thief", "theft"}),
     "Thieves everywhere lately. Nobody's credits are safe."),
)  # fmt: skip

Floats = npt.NDArray[np.float64]
DEFAULT_EMBEDDER: Final = HashedEmbedder()  # shared: it is stateless but for its word cache


class MemoryKind(IntEnum):
    OBSERVATION = 0
    ACTION = 1
    CONVERSATION = 2
    REFLECTION = 3


# Rule-scored importance of the things that happen to a crew member (1 mundane .. 10 life-changing).
IMPORTANCE: Final[dict[str, int]] = {
    "docked": 1,
    "small_talk": 2,
    "mined": 2,
    "greeting": 2,
    "trade": 3,
    "sold": 3,
    "order": 4,
    "refused": 6,
    "broke": 6,
    "attacked": 7,
    "shot": 8,
    "death_seen": 9,
    "crewmate_died": 10,
    "near_death": 9,
}
_KEYWORD_IMPORTANCE: Final = (
    (9, frozenset({"killed", "kill", "destroyed", "dead", "die", "died", "death", "murder"})),
    (8, frozenset({"attack", "attacked", "shot", "shoot", "fire", "pirate", "torpedo", "hit"})),
    (6, frozenset({"refuse", "refused", "betray", "traitor", "threat", "mutiny"})),
    (4, frozenset({"order", "captain", "crew", "hire", "recruit"})),
    (3, frozenset({"credit", "pay", "paid", "sell", "sold", "buy", "trade", "ore", "cargo"})),
)


def importance_of(text: str) -> int:
    """Rule score of free text (a heard line, a note): the gravest keyword wins, else small talk."""
    found = set(words(text))
    for score, keys in _KEYWORD_IMPORTANCE:
        if found & keys:
            return score
    return IMPORTANCE["small_talk"]


@dataclass(slots=True)  # read-only by convention; a frozen init costs 10x on every recall
class Memory:
    """One memory as recalled. `cites` are the ids a reflection was drawn from."""

    id: int
    kind: MemoryKind
    at: float
    importance: int
    text: str
    last_access: float
    subject: str = ""
    cites: tuple[int, ...] = ()


def min_max(values: Floats) -> Floats:
    """Scale to 0..1 over the candidates; a component with no spread contributes 0 to all."""
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-12:
        return np.zeros_like(values)
    out: Floats = (values - low) / (high - low)
    return out


def recency(last_access: Floats, now: float) -> Floats:
    """0.995 ** (game hours since last access); never above 1 for a future stamp."""
    elapsed = np.maximum(now - last_access, 0.0)
    out: Floats = np.exp(elapsed * _LOG_DECAY_PER_SECOND)
    return out


class MemoryStream:
    """An agent's memories as aligned columns (rows are memory ids, 0..n-1, never removed)."""

    def __init__(self, embedder: Embedder | None = None, capacity: int = 8) -> None:
        self.embedder = embedder or DEFAULT_EMBEDDER
        self.n = 0
        self.at = np.zeros(capacity)
        self.importance = np.zeros(capacity)
        self.last_access = np.zeros(capacity)
        # exp(-λ·(last_access - epoch)), proportional to recency at any `now` (λ = ln 0.995 / h);
        # min-max normalisation cancels the factor, so recall needs no exp per memory.
        self.freshness = np.zeros(capacity)
        self._epoch: float | None = None
        self._importance_scaled: Floats | None = None  # min-max of importance, until an add
        self.kind = np.zeros(capacity, dtype=np.int8)
        # One column per memory: a sparse query reads only its few non-zero rows.
        self.columns: Vectors = np.zeros((self.embedder.dims, capacity), dtype=np.float32)
        self.texts: list[str] = []
        self.subjects: list[str] = []
        self.cites: list[tuple[int, ...]] = []
        self.about: dict[str, list[int]] = {}  # subject -> ids of the memories about it
        self.names: dict[str, str] = {}  # how a subject may be named (lowercased) -> subject
        self.since_reflection = 0.0  # summed importance of non-reflections since the last one
        self._window_start = 0  # first memory id since the last reflection
        self.touched: set[int] = set()  # ids whose last access changed since `saved`

    def __len__(self) -> int:
        return self.n

    # -- writing --------------------------------------------------------------

    def add(
        self,
        kind: MemoryKind,
        text: str,
        at: float,
        importance: int | None = None,
        *,
        subject: str = "",
        cites: Sequence[int] = (),
        vector: Vectors | None = None,
        last_access: float | None = None,
    ) -> Memory:
        """Append a memory; importance defaults to `importance_of(text)`, clamped to 1..10."""
        text = text[:MAX_TEXT]
        score = importance_of(text) if importance is None else importance
        score = min(10, max(1, int(score)))
        if self.n == len(self.at):
            self._grow()
        row = self.n
        self.at[row] = at
        self.importance[row] = score
        self.last_access[row] = at if last_access is None else last_access
        self.freshness[row] = self._fresh(float(self.last_access[row]))
        self._importance_scaled = None
        self.kind[row] = kind
        self.columns[:, row] = self.embedder.embed([text])[0] if vector is None else vector
        self.texts.append(text)
        self.subjects.append(subject)
        self.cites.append(tuple(cites))
        if subject:
            self._index(subject, row)
        self.n += 1
        if kind == MemoryKind.REFLECTION:
            self._window_start = self.n
            self.since_reflection = 0.0
        else:
            self.since_reflection += score
        return self.get(row)

    def _index(self, subject: str, row: int) -> None:
        ids = self.about.get(subject)
        if ids is None:
            self.about[subject] = [row]
            for form in name_forms(subject):
                self.names.setdefault(form, subject)
        else:
            ids.append(row)

    def _grow(self) -> None:
        size = 2 * len(self.at)
        for name in ("at", "importance", "last_access", "freshness", "kind"):
            old = getattr(self, name)
            fresh = np.zeros(size, dtype=old.dtype)
            fresh[: self.n] = old[: self.n]
            setattr(self, name, fresh)
        columns = np.zeros((self.columns.shape[0], size), dtype=np.float32)
        columns[:, : self.n] = self.columns[:, : self.n]
        self.columns = columns

    # -- reading --------------------------------------------------------------

    def get(self, memory_id: int) -> Memory:
        return Memory(
            id=memory_id,
            kind=MemoryKind(int(self.kind[memory_id])),
            at=float(self.at[memory_id]),
            importance=int(self.importance[memory_id]),
            text=self.texts[memory_id],
            last_access=float(self.last_access[memory_id]),
            subject=self.subjects[memory_id],
            cites=self.cites[memory_id],
        )

    def recent(self, count: int = 10) -> list[Memory]:
        """The newest memories, newest first (a look, not a recall: access times stay)."""
        return [self.get(i) for i in range(self.n - 1, max(-1, self.n - 1 - count), -1)]

    def scores(self, query: Vectors, now: float) -> Floats:
        """recency + importance + relevance over all memories, each min-max normalised.

        Min-max normalised recency is the same at every `now` (recency at a later time is
        the earlier one times a constant), so it is computed from `freshness` without
        `now`; `recency(last_access, now)` gives the same ranking the long way.
        """
        n = self.n
        if self._importance_scaled is None:
            self._importance_scaled = min_max(self.importance[:n])
        total: Floats = min_max(self.freshness[:n]) + self._importance_scaled
        total += min_max(self.relevance(query))
        return total

    def _fresh(self, last_access: float) -> float:
        if self._epoch is None:
            self._epoch = last_access
        value = math.exp(-_LOG_DECAY_PER_SECOND * (last_access - self._epoch))
        if value > 1e200:  # centuries of game time: move the epoch, rescale every row
            self._epoch = last_access
            n = self.n
            self.freshness[:n] = np.exp(
                -_LOG_DECAY_PER_SECOND * (self.last_access[:n] - last_access)
            )
            value = 1.0
        return value

    def relevance(self, query: Vectors) -> Floats:
        """Cosine similarity of `query` with every memory (all vectors are unit or zero).

        Hashed queries have a handful of non-zero buckets, so summing those
        rows costs a few vector adds and no BLAS call (whose threads stall on
        a busy two-core machine); a dense query takes the matrix product.
        """
        n = self.n
        hot = np.flatnonzero(query)
        if hot.size * 8 > query.size:
            dense: Floats = (query @ self.columns[:, :n]).astype(np.float64)
            return dense
        out: Floats = np.zeros(n)
        for bucket in hot.tolist():
            out += float(query[bucket]) * self.columns[bucket, :n]
        return out

    def retrieve(
        self, query: str | Vectors, now: float, k: int = 10, among: Sequence[int] | None = None
    ) -> list[Memory]:
        """The top-k memories for `query`, best first; recalling them refreshes their access.

        `among` limits recall to those ids (the memories about one person, say); they are
        scored against all memories, so "recent" and "important" keep their usual scale.
        """
        if self.n == 0 or k <= 0 or (among is not None and not among):
            return []
        vector = self.embedder.embed([query])[0] if isinstance(query, str) else query
        scores = self.scores(vector, now)
        if among is None:
            top = self.top_ids(scores, k)
        else:
            ids = np.asarray(among, dtype=np.intp)
            top = ids[self.top_ids(scores[ids], k)]
        self.last_access[top] = now
        self.freshness[top] = self._fresh(now)
        self.touched.update(top.tolist())
        return [self.get(int(i)) for i in top]

    @staticmethod
    def top_ids(scores: Floats, k: int) -> npt.NDArray[np.intp]:
        """Ids of the k best scores, best first; ties go to the newer memory."""
        k = min(k, scores.size)
        part = np.argpartition(-scores, k - 1)[:k] if k < scores.size else np.arange(scores.size)
        order = np.lexsort((-part, -scores[part]))
        out: npt.NDArray[np.intp] = part[order]
        return out

    # -- reflection -----------------------------------------------------------

    @property
    def reflection_due(self) -> bool:
        return self.since_reflection >= REFLECTION_THRESHOLD

    def reflect(self, now: float) -> list[Memory]:
        """Turn the memories since the last reflection into insights that cite them.

        Rule-based, and said as a person would say it: who has been turning up
        (and whether that means trouble), the event that weighs most, and what
        the days have been about (`THEMES`). Each insight is stored as a reflection whose
        importance is that of the gravest memory it cites. Reflections do not
        count toward the next reflection, so thinking never feeds on itself.
        """
        window = [
            i for i in range(self._window_start, self.n) if self.kind[i] != MemoryKind.REFLECTION
        ]
        insights = [
            found
            for found in (
                self._about_subject(window),
                self._gravest(window),
                self._theme(window),
            )
            if found is not None
        ]
        if not insights:  # nothing to say still closes the window
            self.since_reflection = 0.0
            self._window_start = self.n
            return []
        out = []
        for text, subject, cited in insights:
            weight = int(max(self.importance[list(cited)]))
            out.append(
                self.add(MemoryKind.REFLECTION, text, now, weight, subject=subject, cites=cited)
            )
        return out

    def _about_subject(self, window: list[int]) -> tuple[str, str, tuple[int, ...]] | None:
        counts = Counter(self.subjects[i] for i in window if self.subjects[i])
        if not counts:
            return None
        subject, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
        if count < 2:
            return None
        cited = tuple(i for i in window if self.subjects[i] == subject)
        mean = float(np.mean(self.importance[list(cited)]))
        times = _TIMES.get(count, f"{count} times")
        place = any(f"at {subject}" in self.texts[i] for i in cited)
        if mean >= 6:
            text = f"{subject} means trouble. That's {times} lately, and none of it good."
        elif place:
            text = f"I've been at {subject} {times} lately. It's starting to feel like home."
        elif mean <= 3:
            text = f"I keep running into {subject}; {times} lately. It's become routine."
        else:
            text = f"{subject} keeps turning up in my life. {capital(times)} lately."
        return text, subject, cited

    def _gravest(self, window: list[int]) -> tuple[str, str, tuple[int, ...]] | None:
        if not window:
            return None
        best = max(window, key=lambda i: (self.importance[i], i))
        event = self.texts[best].rstrip(".!? ")
        if self.importance[best] >= 7:
            text = f"I can't stop thinking about it: {event}."
        else:
            text = f"The thing that stays with me lately: {event}."
        return text, self.subjects[best], (best,)

    def _theme(self, window: list[int]) -> tuple[str, str, tuple[int, ...]] | None:
        """What the days have been about, said as a theme ("It's been all rock-cutting and
        ore runs lately"), never as a bare recurring word: that word is often a name, and
        "my days are all about belelyr" is not something a person says."""
        found = [(i, set(words(self.texts[i]))) for i in window]
        best: tuple[int, str, tuple[int, ...]] | None = None
        for keys, text in THEMES:
            cited = tuple(i for i, said in found if keys & said)
            if len(cited) >= 3 and (best is None or len(cited) > best[0]):
                best = (len(cited), text, cited)
        return None if best is None else (best[1], "", best[2])

    # -- persistence support --------------------------------------------------

    def load(self, memories: Iterable[Memory], vectors: Iterable[Vectors | None]) -> None:
        """Refill from stored memories (ids must be 0..n-1 in order), recomputing missing vectors."""
        for memory, vector in zip(memories, vectors, strict=True):
            if memory.id != self.n:
                raise ValueError(f"memory ids must be dense: expected {self.n}, got {memory.id}")
            self.add(
                memory.kind,
                memory.text,
                memory.at,
                memory.importance,
                subject=memory.subject,
                cites=memory.cites,
                vector=vector,
                last_access=memory.last_access,
            )
        self.touched.clear()

    def vector_bytes(self, memory_id: int) -> bytes:
        return self.columns[:, memory_id].tobytes()


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]
