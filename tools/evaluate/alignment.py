"""How well generated audio says what was asked: intended labels against the labels re-tagging hears.

Labels are compared as sets over a vocabulary (the unified genres by
default): Jaccard = |P ∩ T| / |P ∪ T| (1 is a perfect match) and Hamming loss =
the share of vocabulary labels on which P and T disagree (0 is perfect), both
from scikit-learn. What the tagger "hears" follows the loop's own rule
(tools.loop.MatchRule), so an alignment here means the same as a loop match.
"""

from __future__ import annotations

from dataclasses import dataclass

from sklearn.metrics import hamming_loss, jaccard_score
from sklearn.preprocessing import MultiLabelBinarizer

from tools.audio import load_clip
from tools.errors import TastemakerError


@dataclass
class Alignment:
    intended: list[str]
    heard: list[str]
    jaccard: float
    hamming: float
    matched: bool
    probabilities: dict[str, float]  # the tagger's unified genre probabilities

    @property
    def target_probability(self) -> float:
        """Mean probability the tagger gives the intended labels (a graded view of the match)."""
        return sum(self.probabilities.get(t, 0.0) for t in self.intended) / max(len(self.intended), 1)


def jaccard(intended: list[str], heard: list[str]) -> float:
    """Jaccard index of two label sets (1.0 when both are empty: nothing asked, nothing heard)."""
    if not intended and not heard:
        return 1.0
    binarizer = MultiLabelBinarizer().fit([list(intended) + list(heard)])
    t, p = binarizer.transform([intended]), binarizer.transform([heard])
    return float(jaccard_score(t, p, average="samples"))


def hamming(intended: list[str], heard: list[str], vocabulary: list[str]) -> float:
    """Share of the vocabulary's labels on which the two sets disagree."""
    binarizer = MultiLabelBinarizer(classes=sorted(set(vocabulary) | set(intended) | set(heard)))
    t, p = binarizer.fit_transform([intended]), binarizer.transform([heard])
    return float(hamming_loss(t, p))


def check_labels(labels: list[str]) -> list[str]:
    """Intended genres in the unified vocabulary (synonyms accepted), or a clear error naming the bad one."""
    from tools.genres import require_genre

    return [require_genre(label) for label in labels]


def align(intended: list[str], probabilities: dict[str, float]) -> Alignment:
    """Compare intended genres with the genres the tagger's probabilities name (the loop's match rule)."""
    from tools.genres import GENRES
    from tools.loop import MatchRule, TaggerJudge, matches

    if not intended:
        raise TastemakerError("Alignment needs at least one intended genre (e.g. ['jazz']).")
    target = check_labels(intended)
    rule = MatchRule()
    heard = TaggerJudge().predicted(probabilities, target, rule)
    return Alignment(intended=target, heard=heard, jaccard=jaccard(target, heard),
                     hamming=hamming(target, heard, list(GENRES)), matched=matches(heard, target, rule),
                     probabilities=dict(probabilities))


def align_file(path: str, intended: list[str]) -> Alignment:
    """Re-tag an audio file and compare its genres with the intended ones."""
    from tools.tagger import tag_full

    return align(intended, tag_full(load_clip(path)).genres.probabilities)
