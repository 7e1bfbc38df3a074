"""The classifier in the loop: generate, re-tag, compare with the target genres, refine, repeat.

What "matches" means (MatchRule, configurable): the judge's predicted label set
P must contain every target genre T, with at most `slack` extra labels.
- With the pretrained tagger as judge (default), P is the judge's top
  |T| + slack unified genres that reach `floor` probability: "the tagger hears
  every requested genre among its top picks".
- With a trained classifier as judge, P is its own thresholded decision
  (top-1 for a single-label model).
Each attempt is scored by Jaccard(P, T), Hamming loss over the judge's
vocabulary, and the probability margin (weakest target minus strongest
non-target; > 0 means the targets lead). The best attempt is the one that
matches, then has the higher Jaccard, then the larger margin.

Refinement after a miss: missing genres are raised and spurious ones lowered
or negated; the sketch engine also gets instrumentation cues and energy
changes, MusicGen a stronger guidance scale; every retry uses new seeds. The
loop stops on a match, after `max_iters` iterations, or when `max_seconds`
would be exceeded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from tools.audio import load_clip
from tools.contracts import Attempt, Generation, LoopResult, Style, TasteProfile
from tools.errors import TastemakerError
from tools.genres import BROADER, GENRES, require_genre
from tools.jobs import BudgetExceeded
from tools.prompting import profile_to_prompt, profile_to_style

OnEvent = Callable[[str, dict], None]  # ("iteration" | "attempt" | "stop", details)


@dataclass
class MatchRule:
    slack: int = 1
    floor: float = 0.05


@dataclass
class LoopConfig:
    max_iters: int = 4
    max_seconds: float = 180.0
    candidates: int = 2
    seconds: float = 10.0
    engine: str = "sketch"
    rule: MatchRule = field(default_factory=MatchRule)
    seed: int = 0
    reference_midi: str | None = None  # retrieval-augmented conditioning
    like: str | None = None
    melody: str | None = None
    levels: dict[str, float] = field(default_factory=dict)  # parts turned up or down as asked (Style.levels)
    fade_out_s: float | None = None  # a fade-out asked for (Style.fade_out_s)
    # a groove asked for by name (Style.groove): every candidate plays it, so the judge compares bossa novas with
    # bossa novas, and one heard as techno is not traded for another groove heard as jazz
    groove: str | None = None


class TaggerJudge:
    """The pretrained musicnn taggers, through the unified genre vocabulary."""

    name = "musicnn (MSD+MTT)"
    multi_label = True

    @property
    def labels(self) -> list[str]:
        return list(GENRES)

    def probabilities(self, audio_path: str) -> dict[str, float]:
        from tools.tagger import tag_full

        return tag_full(load_clip(audio_path)).genres.probabilities

    def predicted(self, probs: dict[str, float], target: list[str], rule: MatchRule) -> list[str]:
        """The top len(target) + slack genres, passing over broader genres of a target (electronic for house)."""
        broader = {b for t in target for b in BROADER.get(t, ()) if b not in target}
        ranked = sorted(((g, p) for g, p in probs.items() if g not in broader), key=lambda kv: (-kv[1], kv[0]))
        return [g for g, p in ranked[: len(target) + rule.slack] if p >= rule.floor]


class ClassifierJudge:
    """A trained checkpoint (tools.classify) as the judge."""

    multi_label: bool

    def __init__(self, checkpoint: str):
        from tools.classify import load_classifier

        self.classifier = load_classifier(checkpoint)
        self.name = f"classifier {checkpoint}"
        self.multi_label = bool(self.classifier.multi_label)

    @property
    def labels(self) -> list[str]:
        return list(self.classifier.labels)

    def probabilities(self, audio_path: str) -> dict[str, float]:
        return dict(self.classifier.predict(load_clip(audio_path)).probabilities)

    def predicted(self, probs: dict[str, float], target: list[str], rule: MatchRule) -> list[str]:
        from tools.contracts import Tags

        return list(self.classifier.decide(Tags("classifier", probs)))


def score(predicted: list[str], probs: dict[str, float], target: list[str], vocabulary: list[str]) -> dict:
    p, t = set(predicted), set(target)
    union = p | t
    jaccard = len(p & t) / len(union) if union else 1.0
    hamming = len(p ^ t) / max(len(set(vocabulary) | union), 1)
    weakest_target = min((probs.get(g, 0.0) for g in t), default=0.0)
    strongest_other = max((v for g, v in probs.items() if g not in t), default=0.0)
    return {"jaccard": jaccard, "hamming": hamming, "margin": weakest_target - strongest_other}


def matches(predicted: list[str], target: list[str], rule: MatchRule) -> bool:
    p, t = set(predicted), set(target)
    return t <= p and len(p - t) <= rule.slack


def _rank(a: Attempt, target: list[str], rule: MatchRule) -> tuple:
    return (matches(a.predicted_labels, target, rule), a.jaccard, a.margin)


def target_from_profile(profile: TasteProfile, most: int = 2) -> list[str]:
    ranked = sorted(profile.genres.items(), key=lambda kv: -kv[1])
    strong = [g for g, w in ranked if w >= 0.4][:most]
    return strong or [g for g, _ in ranked[:1]]


# Instruments whose presence makes a genre easier to hear (sketch refinement cues).
GENRE_CUES = {
    "rock": ["guitar", "drums"], "metal": ["guitar", "drums"], "punk": ["guitar", "drums"],
    "electronic": ["synth"], "dance": ["synth", "drums"], "house": ["synth", "drums"], "techno": ["synth", "drums"],
    "ambient": ["synth"], "classical": ["strings", "piano"], "jazz": ["piano"], "blues": ["guitar"],
    "folk": ["guitar"], "country": ["guitar"], "hip-hop": ["drums"], "funk": ["guitar", "drums"],
    "new age": ["piano", "synth"], "pop": ["synth", "drums"],
}


def _ease_heard(weights: dict[str, float], target: list[str], missing: list[str]) -> None:
    """With a target missing, the targets that were heard take too much room (and a missing one already at the
    1.0 cap could not rise): ease them by 0.2, not below 0.3, so the missing genre leads the next attempt."""
    if not missing:
        return
    for g in target:
        if g not in missing and g in weights:
            weights[g] = max(0.3, weights[g] - 0.2)


def refine(profile: TasteProfile, style: Style, missing: list[str], spurious: list[str],
           target: list[str]) -> tuple[TasteProfile, Style]:
    """Raise what the judge did not hear, lower or negate what it heard but was not asked for."""
    genres = dict(profile.genres)
    for g in missing:
        genres[g] = min(1.0, genres.get(g, 0.4) + 0.25)
    for g in spurious:
        genres.pop(g, None)
    _ease_heard(genres, target, missing)
    avoid = sorted(set(profile.avoid) | set(spurious))
    new_profile = replace(profile, genres=genres, avoid=avoid)

    style_genres = {g: w for g, w in style.genres.items() if g not in spurious}
    for g in target:
        style_genres[g] = min(1.0, style_genres.get(g, 0.5) + (0.3 if g in missing else 0.0))
    _ease_heard(style_genres, target, missing)
    instruments = dict(style.instruments)
    for g in missing:
        for cue in GENRE_CUES.get(g, []):
            instruments[cue] = min(1.0, instruments.get(cue, 0.4) + 0.2)
    for g in spurious:
        for cue in GENRE_CUES.get(g, []):
            if not any(cue in GENRE_CUES.get(t, []) for t in target):
                instruments.pop(cue, None)
    energy = style.energy
    loud = {"metal", "punk", "rock", "techno", "house", "dance", "hip-hop", "electronic"}
    soft = {"ambient", "classical", "new age", "chillout", "folk", "jazz"}
    if set(missing) & loud or set(spurious) & soft:
        energy = min(1.0, (energy if energy is not None else 0.5) + 0.15)
    elif set(missing) & soft or set(spurious) & loud:
        energy = max(0.0, (energy if energy is not None else 0.5) - 0.15)
    style_avoid = set(style.avoid) | {s for s in spurious if s not in target}
    if any("drums" in GENRE_CUES.get(g, []) for g in spurious) and not any(
            "drums" in GENRE_CUES.get(t, []) for t in target):
        # Heard as a drum-driven genre nobody asked for (pop, rock...) while no target needs a kit: drop it.
        # A jazz drummer under a string quartet made 'classical and jazz' sound pop; without it, both are heard.
        style_avoid.add("drums")
        left_out = {**style.left_out, "drums": f"the last try was heard as {', '.join(spurious)}, which was not "
                                              "asked for, and no genre asked for needs a drum kit"}
    else:
        left_out = dict(style.left_out)
    new_style = replace(style, genres=style_genres, instruments=instruments, energy=energy,
                        avoid=sorted(style_avoid), left_out=left_out)
    return new_profile, new_style


def render_and_judge(request, judge) -> list[tuple[Generation, dict[str, float]]]:
    """Render a round's request and let the judge listen to each piece (one job: on Ray, one worker's)."""
    from tools.generate import render_request

    return [(gen, judge.probabilities(gen.audio_path)) for gen in render_request(request)]


def candidates_heard(request, judge) -> list[tuple[Generation, dict[str, float]]]:
    """A round's candidates, rendered and judged: (piece, what the judge heard), in candidate order.

    Sketch candidates are one job each (side by side on a Ray cluster; one after another in this process);
    MusicGen makes a round's candidates in one batch, so they stay one job."""
    from tools import jobs
    from tools.generate.request import candidate_seeds

    request.validate()
    jobs.charge_audio(float(request.seconds) * int(request.candidates))  # the whole round, before any of it
    if request.engine == "sketch" and request.candidates > 1:
        seeds = candidate_seeds(request.seed, request.candidates)
        rounds = [replace(request, seed=seed, candidates=1) for seed in seeds]
    else:
        rounds = [request]
    outcomes = jobs.run_each([jobs.Job(render_and_judge, (r, judge), name="making a candidate") for r in rounds])
    return [heard for outcome in outcomes for heard in outcome.result()]


def create(
    profile: TasteProfile,
    target: list[str] | None = None,
    config: LoopConfig | None = None,
    judge=None,
    on_event: OnEvent | None = None,
) -> LoopResult:
    """Generate until the judge hears the target genres, or the budget runs out."""
    from tools.generate import GenerationRequest

    config = config or LoopConfig()
    judge = judge or TaggerJudge()
    target = [require_genre(g) for g in (target or target_from_profile(profile))]
    if not target:
        raise TastemakerError("No target genres: name at least one genre, or upload a song first.")
    if isinstance(judge, TaggerJudge):
        pass
    elif unknown := [g for g in target if g not in judge.labels]:
        raise TastemakerError(f"The classifier judge does not know {', '.join(unknown)}; it knows {judge.labels}.")
    # The target's genres lead the profile; other genres stay as colour, below them.
    genres = {g: min(w, 0.35) for g, w in profile.genres.items() if g not in target}
    for g in target:
        genres[g] = max(profile.genres.get(g, 0.0), 0.8)
    profile = replace(profile, genres=dict(sorted(genres.items(), key=lambda kv: -kv[1])))
    style = replace(profile_to_style(profile), levels=dict(config.levels), fade_out_s=config.fade_out_s,
                    groove=config.groove)
    guidance = 3.0
    started = time.perf_counter()
    attempts: list[Attempt] = []
    stop_reason = f"no match after {config.max_iters} iterations"
    for iteration in range(1, config.max_iters + 1):
        elapsed = time.perf_counter() - started
        if iteration > 1 and attempts:
            per_iter = elapsed / (iteration - 1)
            if elapsed + per_iter > config.max_seconds:
                stop_reason = f"time budget of {config.max_seconds:g} s reached"
                break
        prompt = profile_to_prompt(profile)
        if on_event:
            on_event("iteration", {"iteration": iteration, "prompt": prompt, "style": style})
        request = GenerationRequest(
            prompt=prompt, style=style, seconds=config.seconds, seed=config.seed + 1000 * iteration,
            candidates=config.candidates, engine=config.engine, guidance_scale=guidance,
            reference_midi=config.reference_midi, like=config.like, melody=config.melody, themes=list(profile.themes),
        )
        try:
            heard = candidates_heard(request, judge)
        except BudgetExceeded:
            if not attempts:
                raise
            stop_reason = "the audio budget for one message was reached"  # keep the best piece so far
            break
        round_attempts = []
        for gen, probs in heard:
            predicted = judge.predicted(probs, target, config.rule)
            s = score(predicted, probs, target, judge.labels)
            from tools.contracts import Tags

            gen.tags = Tags("genres", probs)
            gen.score = s["jaccard"]
            attempt = Attempt(iteration=iteration, prompt=prompt, generation=gen, predicted=probs,
                              predicted_labels=predicted, jaccard=s["jaccard"], hamming=s["hamming"],
                              margin=s["margin"])
            attempts.append(attempt)
            round_attempts.append(attempt)
            if on_event:
                on_event("attempt", {"attempt": attempt, "matched": matches(predicted, target, config.rule)})
        best_now = max(round_attempts, key=lambda a: _rank(a, target, config.rule))
        if matches(best_now.predicted_labels, target, config.rule):
            stop_reason = f"matched at iteration {iteration}"
            break
        missing = [g for g in target if g not in best_now.predicted_labels]
        spurious = [g for g in best_now.predicted_labels if g not in target]
        profile, style = refine(profile, style, missing, spurious, target)
        guidance = min(guidance + 1.0, 8.0)
    best = max(attempts, key=lambda a: _rank(a, target, config.rule)) if attempts else None
    matched = bool(best and matches(best.predicted_labels, target, config.rule))
    result = LoopResult(target=target, attempts=attempts, best=best, matched=matched, stop_reason=stop_reason)
    if on_event:
        on_event("stop", {"result": result})
    return result


def result_to_json(result: LoopResult) -> dict:
    """The `create --json` shape."""

    def attempt_json(a: Attempt) -> dict:
        return {
            "iteration": a.iteration, "prompt": a.prompt, "path": a.generation.audio_path,
            "engine": a.generation.engine, "model": a.generation.model, "seed": a.generation.seed,
            "predicted": {g: round(p, 4) for g, p in sorted(a.predicted.items(), key=lambda kv: -kv[1])[:8]},
            "predicted_labels": a.predicted_labels, "jaccard": round(a.jaccard, 4), "hamming": round(a.hamming, 4),
            "margin": round(a.margin, 4),
        }

    return {
        "target": result.target,
        "matched": result.matched,
        "stop_reason": result.stop_reason,
        "best": attempt_json(result.best) if result.best else None,
        "attempts": [attempt_json(a) for a in result.attempts],
    }
