"""Making music in a chat: generate from a typed ask, create with the classifier in the loop, refine a piece,
explain how a piece was made.

Every piece is kept in the session (ids g1, g2...) with the typed request that made it (a GenerationRequest,
or a LoopRequest for the loop), so a MusicChange ('more jazz', 'make the drums quieter', 'in D minor') starts
from exactly what was asked last time. Each result is re-tagged, and the result says plainly what was asked
and not reached: a genre not heard, a length capped, a mood the tempo does not carry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from agent.session import AudioResult, GeneratedPiece, LoopChart, Session
from tools.contracts import Generation, Style, TasteProfile, Track
from tools.genres import SAID_AS, SOUND_TAGS, possessive
from tools.errors import TastemakerError
from tools.generate.request import (KEYS_LOOK_LIKE, GenerationRequest, MusicAsk, MusicChange, fit_candidates,
                                    fit_groove, fit_key, fit_seconds, fit_tempo, next_seed)
from tools.language import intents as I
from tools.language.slots import SOLO
from tools.language.style import describe as describe_style
from tools.settings import get_settings

DEFAULT_SECONDS = 15.0  # a quick first listen; "longer" or "30 seconds" changes it
LOOP_SECONDS = 10.0  # each loop attempt (the loop makes several)
HEARD_TOP = 3  # a genre 'is heard' when it is among the tagger's top 3
AUDIBLE = 0.5  # a label the person asks for weighs at least this
CALM_MOODS, LIVELY_MOODS = ("calm", "mellow", "sad"), ("energetic", "party")
MINOR_MOODS, MAJOR_MOODS = ("sad", "dark"), ("happy",)
DIFFERENT_STEP = 104729  # a seed far from the last one: a different take, not a neighbour
ASKED_FADE_S = 4.0  # 'fade it out at the end': a fade over the last bars (the arranger fits it to the piece)
MAX_LEVEL_DB = 8.0  # a part turned up (or down) again and again stays within this of the band


def _mode_for_moods(moods: dict[str, float]) -> str | None:
    """The mode a mood the person asked for implies ('like it but sadder': minor, though the song is in major; 'less
    depressing': major, as 'happier' would)."""
    minor = sum(w if m in MINOR_MOODS else -w for m, w in moods.items()
                if (m in MINOR_MOODS and w > 0) or (m in MAJOR_MOODS and w < 0))
    major = sum(w if m in MAJOR_MOODS else -w for m, w in moods.items()
                if (m in MAJOR_MOODS and w > 0) or (m in MINOR_MOODS and w < 0))
    return "minor" if minor > major else "major" if major > minor else None


@dataclass(frozen=True)
class LoopRequest:
    """What one run of the classifier loop was asked: the taste profile to aim at, the target genres and the
    loop's budget. A refinement replaces fields of it."""

    profile: TasteProfile
    target: list[str] | None = None
    seconds: float = LOOP_SECONDS
    seed: int = 0
    candidates: int = 2
    engine: str = "auto"
    max_iters: int = 4
    description: str = ""
    reference_midi: str | None = None
    like: str | None = None
    reference_title: str | None = None
    using: list[str] = field(default_factory=list)  # the uploads it is like, by name
    asked_moods: list[str] = field(default_factory=list)  # moods the person named (the clips' are not promises)
    levels: dict[str, float] = field(default_factory=dict)  # parts turned up or down by a refinement (Style.levels)
    fade_out_s: float | None = None  # a fade-out asked for by a refinement (Style.fade_out_s)
    groove: str | None = None  # a groove asked for by name ('like these, as a bossa nova'): every candidate plays it


def _clamp(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def _heard(generation: Generation) -> list[tuple[str, float]]:
    """The tagger's top genres for a generated file (the loop has already tagged its own)."""
    probs = _genre_probabilities(generation)  # a file gone gets load_clip's clear 'no such file'
    return [(g, round(float(p), 3)) for g, p in sorted(probs.items(), key=lambda kv: -kv[1])[:HEARD_TOP]]


@lru_cache(maxsize=256)
def _tagged_genres(path: str, mtime_ns: int) -> dict[str, float]:
    """The tagger's genres for a file, once per version of it ('what have you made?' lists every piece)."""
    from tools.audio import load_clip
    from tools.tagger import tag_full

    return dict(tag_full(load_clip(path)).genres.probabilities)


def _tempo_of(g: Generation) -> float | None:
    """The tempo the piece was made at (the sketch engine records the one it chose)."""
    tempo = g.conditioning.get("tempo") or (g.style.tempo if g.style else None)
    return float(tempo) if tempo else None


def _key_of(g: Generation) -> tuple[str | None, str | None]:
    """(key, mode) the piece was made in: the sketch engine records 'D minor'."""
    made = str(g.conditioning.get("key") or "").split()
    return (made[0] if made else None), (made[1] if len(made) > 1 else None)


def _played_as(genres: list[str], made: dict[str, Any]) -> str:
    """How a piece plays the styles asked ('jazz', 'a bossa nova, by a jazz band, as asked', 'jazz, over hip-hop's
    trap groove, as asked'), from the engine's record of its rhythm."""
    rhythm = made.get("rhythm") or {}
    groove, whose = str(rhythm.get("groove") or ""), str(rhythm.get("groove_of") or "")
    if not (rhythm.get("asked") and groove):
        return _and(genres)
    name = groove.split(":")[0]  # 'trap: rolling hats, a sparse kick' is a trap groove
    if whose in genres:  # the style's own groove: 'a bossa nova, by a jazz band'
        return f"{_a(name)} {name}, by {_a(whose)} {whose} band, as asked"
    return f"{_and(genres)}, over {possessive(whose)} {name} groove, as asked"


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _unmet(style: Style | None, heard: list[tuple[str, float]], tempo: float | None,
           wanted_genres: list[str], made_key: tuple[str | None, str | None] = (None, None),
           made: dict[str, Any] | None = None) -> list[str]:
    """Plain sentences for what was asked and not reached: genres not heard (and how to push them, where a change
    can), a mood the tempo contradicts, a key the piece is not in. `made`: the engine's record (its blend, rhythm)."""
    notes = []
    if style and made_key[0] and ((style.key and style.key != made_key[0]) or
                                  (style.mode and made_key[1] and style.mode != made_key[1])):
        notes.append(f"you asked for {style.key or ''} {style.mode or ''}".replace("  ", " ").rstrip()
                     + f", but it came out in {made_key[0]} {made_key[1] or ''}".rstrip())
    names = [g for g, _ in heard]
    missing = [g for g in wanted_genres if g not in names]
    # a style asked for in full, or alone, and played ('a bossa nova', 'jazz with a trap beat'): 'more jazz' would
    # change nothing (it is at its most already, or all there is, and the same band would play it again), so the
    # tags are said as the tags
    played = [g for g in missing if style and (style.genres.get(g, 0.0) >= 1.0 or set(style.genres) == {g})
              and g in (made or {}).get("blend", {})]
    movable = [g for g in missing if g not in played]
    if played:
        notes.append(f"the tagger hears {_and(names) or 'nothing clear'} in it, though it is played as "
                     f"{_played_as(played, made or {})}")
    if movable:
        notes.append(f"{_and(movable)} {'is' if len(movable) == 1 else 'are'} not among what I hear in it yet "
                     f"({_and(names) or 'nothing clear'}); say 'more {movable[0]}' to push further")
    moods = set((style.moods if style else {}) or {})
    if tempo and tempo >= 120 and moods & set(CALM_MOODS):
        mood = sorted(moods & set(CALM_MOODS))[0]
        notes.append(f"you asked for {mood}, but it runs at {tempo:.0f} BPM, the pace of its style; say 'slower' "
                     "for a calmer one")
    elif tempo and tempo <= 85 and moods & set(LIVELY_MOODS):
        mood = sorted(moods & set(LIVELY_MOODS))[0]
        notes.append(f"you asked for {mood}, but it runs at only {tempo:.0f} BPM; say 'faster'")
    return notes


def _and(items: list[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def _detail(g: Generation, judge: str | None = None) -> str:
    """Engine, model, seed and judge: the detail a curious person can open."""
    text = f"{g.engine} engine, {g.model}, seed {g.seed}, {g.duration:.0f} s"
    return text + (f"; judged by {judge}" if judge else "")


def piece_title(piece: GeneratedPiece) -> str:
    """'g3: rock, indie': the piece and the genres it was asked to be (never the person's raw words)."""
    g = piece.generation
    genres = (g.style.genres if g.style else None) or g.conditioning.get("blend") or {}  # else the arranger's choice
    asked = ", ".join(k for k, _ in sorted(genres.items(), key=lambda kv: -kv[1])[:3])
    return f"{piece.id}: {asked or 'your piece'}"


def piece_labels(piece: GeneratedPiece) -> list[str]:
    """What a piece was made as: its genres (else the arranger's choice), moods and instruments ('the rock one')."""
    g = piece.generation
    style = g.style or Style()
    return [*(style.genres or g.conditioning.get("blend") or {}), *style.moods, *style.instruments]


def _show(session: Session, piece: GeneratedPiece, heard: list[tuple[str, float]], judge: str | None = None,
          ) -> dict[str, Any]:
    g = piece.generation
    session.outbox.append(AudioResult(path=g.audio_path, title=piece_title(piece),
                                      caption=_detail(g, judge), generation_id=piece.id, heard=list(heard),
                                      midi_path=g.midi_path))
    tempo = _tempo_of(g)
    return {
        "id": piece.id, "engine": g.engine, "model": g.model, "seed": g.seed, "seconds": round(g.duration, 1),
        "asked_genres": g.style.genres if g.style else {}, "tempo": round(tempo) if tempo else None,
        "key": g.conditioning.get("key") or None, "heard_genres": heard, "engine_choice": g.conditioning.get("engine_choice", ""),
        "notes": g.conditioning.get("notes", []), "parts": g.conditioning.get("parts", []),  # 'does it have drums?'
        "rhythm": g.conditioning.get("rhythm"),  # 'what groove is it?'
        "hook": _hook(g.conditioning.get("lyrics", [])),
        "labels": piece_labels(piece),
    }


def _hook(lyrics: list[str]) -> str:
    """The line a rapped piece repeats most (its chorus hook; the first line when none repeats)."""
    return min(lyrics, key=lambda line: (-lyrics.count(line), lyrics.index(line))) if lyrics else ""


def _progress(session: Session):
    def report(fraction: float, what: str) -> None:
        session.check_stopped()  # the stop button: the piece being made stops here, not when it is done
        session.reporter.progress(what, fraction)

    return report


def run_generation(session: Session, request: GenerationRequest, notes: list[str] | None = None,
                   wanted: list[str] | None = None) -> dict[str, Any]:
    """Generate from a request, keep and show every candidate, and say what was not reached."""
    from tools.generate import generate

    gens = generate(replace(request, themes=list(request.themes)), progress=_progress(session))
    pieces, unmet = [], list(notes or [])
    wanted = wanted if wanted is not None else [g for g, w in (request.style.genres if request.style else {}).items()
                                                if w >= AUDIBLE]
    for i, gen in enumerate(gens):
        session.check_stopped()
        session.reporter.progress(f"listening to candidate {i + 1}", (i + 1) / (len(gens) + 1))
        piece = session.keep(gen, replace(request, seed=gen.seed), kind="generate")
        heard = _heard(gen)
        pieces.append(_show(session, piece, heard))
        if i == 0:
            unmet += _unmet(request.style, heard, _tempo_of(gen), wanted, _key_of(gen), gen.conditioning)
    return {"pieces": pieces, "unmet": unmet}


def _themes(description: str) -> list[str]:
    from tools.language import read_slots

    return read_slots(description).themes if description.strip() else []


def _stand_ins(said: str) -> list[str]:
    """What the person named that is played by something else ('no ukulele here; played it on nylon guitar')."""
    from tools.language import read_slots
    from tools.language.words import stand_in_notes

    if not said.strip():
        return []
    notes = stand_in_notes(read_slots(said).reasons)
    low = said.lower()
    if re.search(I.METER, low):  # 'a waltz', 'a folk tune in 3/4': made, in the only meter the engine writes
        notes.append("in 4/4: a waltz's 3/4 or a jig's 6/8 is beyond me yet")
    if re.search(I.KEY_CHANGE, low):
        notes.append("in one key throughout: a key change partway through is beyond me yet")
    return notes


def generate_music(session: Session, ask: MusicAsk, like_upload_ids: list[str] | None = None) -> dict[str, Any]:
    """New music from a typed ask (the description is the prompt and its themes, not re-read for labels)."""
    ask, notes = ask.fitted(DEFAULT_SECONDS)
    notes += _stand_ins(ask.description)
    style = ask.style()
    if not (style.genres or style.moods or style.instruments or ask.description.strip()):
        raise TastemakerError("Tell me what to make, e.g. 'a calm piano piece' or 'a 20 second rock track'.")
    likes = [session.upload(uid).path for uid in like_upload_ids or []]
    request = GenerationRequest(prompt=ask.description or "music", style=style, seconds=ask.seconds,
                                candidates=ask.candidates, engine=ask.engine, like=likes[0] if likes else None,
                                themes=_themes(ask.description))
    return run_generation(session, request, notes)


def _profile_for(session: Session, upload_ids: list[str]) -> TasteProfile:
    from agent.actions import _taste_analysis
    from tools.taste import load_profile, profile_from_analyses

    if upload_ids:
        return profile_from_analyses([_taste_analysis(session, uid) for uid in upload_ids])
    return session.profile or load_profile(session.user) or TasteProfile()


def _combined_target(session: Session, upload_ids: list[str]) -> list[str]:
    """Each song's own strongest genre: a blend aims at all of them, not at what they happen to share."""
    from agent.actions import _taste_analysis

    target: list[str] = []
    for uid in upload_ids:
        genres = _taste_analysis(session, uid).genres
        top = max(genres.items(), key=lambda kv: kv[1])[0] if genres else None
        if top and top not in target:
            target.append(top)
    return target


def _track_profile(track: Track) -> TasteProfile:
    """What a library track is, as a taste: its genre and its tags by kind (genres scaled so the top is 1)."""
    from tools.genres import ALL_LABELS

    kinds: dict[str, dict[str, float]] = {"genre": {}, "mood": {}, "instrument": {}}
    for label, weight in track.tags.items():
        if ALL_LABELS.get(label) in kinds and weight > 0:
            kinds[ALL_LABELS[label]][label] = float(weight)
    if track.genre in ALL_LABELS:
        kinds["genre"][track.genre] = max(kinds["genre"].values(), default=1.0)
    top = max(kinds["genre"].values(), default=1.0)
    genres = {g: round(w / top, 3) for g, w in sorted(kinds["genre"].items(), key=lambda kv: -kv[1])[:4]}
    return TasteProfile(genres=genres, moods=kinds["mood"], instruments=kinds["instrument"], clips=[track.title])


def create_music(session: Session, ask: MusicAsk, upload_ids: list[str] | None = None,
                 max_iters: int | None = None, combine: bool = False, track_id: str | None = None) -> dict[str, Any]:
    """Something like the uploads, a library track (`track_id`: 'like the second one' after a search) or the saved
    taste, checked by the classifier loop; `combine` aims at every song's own genre (a blend) rather than the
    genres they share."""
    ids = list(upload_ids or [])
    if combine and len(ids) < 2:
        raise TastemakerError("To blend songs I need at least two: attach the songs you want combined.")
    ask, notes = ask.fitted(LOOP_SECONDS, default_candidates=2)
    notes += _stand_ins(ask.description)
    track = None
    if track_id and not ids:
        from agent.actions import _library

        track = _library().get(track_id, viewer=session.library_viewer)  # a clear error when there is none
    profile = _track_profile(track) if track is not None else _profile_for(session, ids)
    style = ask.style()
    profile = replace(profile, genres={**profile.genres, **style.genres}, moods={**profile.moods, **style.moods},
                      instruments={**profile.instruments, **style.instruments},
                      avoid=sorted(set(profile.avoid) | set(style.avoid)), tempo=style.tempo or profile.tempo,
                      key=style.key or profile.key, mode=style.mode or _mode_for_moods(style.moods) or profile.mode,
                      energy=style.energy if style.energy is not None else profile.energy)
    if not profile.genres:
        profile = _genre_for_words(profile, notes)
    session.profile = profile
    target = list(style.genres) or (_combined_target(session, ids) if combine else None)
    request = LoopRequest(profile=profile, target=target or None, seconds=ask.seconds, seed=0,
                          candidates=ask.candidates, engine=ask.engine, max_iters=int(max_iters or 4),
                          description=ask.description,
                          using=[track.title] if track is not None else [session.upload(uid).name for uid in ids],
                          asked_moods=list(style.moods), groove=style.groove)
    if track is not None:  # its own score lends motifs and chords, when the library has one
        reference = track if track.midi_path else None
    else:
        reference = _reference(session, ids, ask.description)
    if reference is not None:
        request = replace(request, reference_midi=reference.midi_path or None,
                          reference_title=f"{reference.title} by {reference.artist}".strip())
    result = run_loop(session, request, notes)
    result["combined"] = combine
    return result


# a taste said only in words ('I like calm music'): the arranger's choice for such words, or else the first of these
# that the person has not turned down
FALLBACK_GENRES = ("pop", "ambient", "folk", "jazz", "classical")


def _genre_for_words(profile: TasteProfile, notes: list[str]) -> TasteProfile:
    """A taste with moods, an energy or instruments but no genre gets the genre such words lean to (calm: ambient,
    lively: pop), said in the notes; a taste with nothing at all still asks for something to aim for."""
    from tools.generate.sketch.arranger import default_genres

    if not (profile.moods or profile.instruments or profile.energy is not None):
        raise TastemakerError("I need something to aim for: upload songs you like, or name a genre "
                              "(e.g. 'make me something jazzy like these').")
    leaning = next(iter(default_genres(Style(moods=dict(profile.moods), instruments=dict(profile.instruments),
                                             energy=profile.energy))))
    genre = next(g for g in (leaning, *FALLBACK_GENRES) if g not in profile.avoid)
    said = _and(profile.moods_to_mention() or list(profile.instruments)[:2]) or \
        ("slower music" if profile.energy is not None and profile.energy < 0.5 else "livelier music")
    notes.append(f"your taste names no genre, so for {said} I went for {genre}; name a genre to steer it")
    return replace(profile, genres={genre: 1.0})


def run_loop(session: Session, request: LoopRequest, notes: list[str] | None = None) -> dict[str, Any]:
    """The classifier in the loop (tools.loop.create) from a request; keeps and shows the best piece."""
    from tools.loop import LoopConfig, create, target_from_profile

    judge, judge_note = _judge(request.target or target_from_profile(request.profile))
    config = LoopConfig(max_iters=request.max_iters, candidates=request.candidates, seconds=request.seconds,
                        engine=request.engine, seed=request.seed, reference_midi=request.reference_midi,
                        like=request.like, levels=dict(request.levels), fade_out_s=request.fade_out_s,
                        groove=request.groove)
    reporter = session.reporter
    open_steps: list[Any] = []

    def on_event(kind: str, info: dict) -> None:
        if kind != "stop":
            session.check_stopped()
        # One step per iteration: it opens when the iteration starts and closes at the next one (or the end).
        if kind == "iteration":
            while open_steps:
                open_steps.pop().__exit__(None, None, None)
            step = reporter.step(f"iteration {info['iteration']}", info["prompt"])
            step.__enter__()
            open_steps.append(step)
            reporter.progress(f"generating {config.candidates} candidate(s)", (info["iteration"] - 1) / config.max_iters)
        elif kind == "attempt":
            a = info["attempt"]
            reporter.progress(f"heard {', '.join(a.predicted_labels) or 'nothing clear'}",
                              a.iteration / config.max_iters)
        elif kind == "stop":
            while open_steps:
                open_steps.pop().__exit__(None, None, None)

    try:
        result = create(request.profile, request.target or None, config, judge=judge, on_event=on_event)
    finally:
        while open_steps:
            open_steps.pop().__exit__(None, None, None)
    session.last_loop = result
    if result.best is None:
        raise TastemakerError(f"Nothing was generated ({result.stop_reason}). Try again with a longer time budget.")
    best = result.best.generation
    piece = session.keep(best, replace(request, seed=best.seed, target=result.target), kind="create")
    attempts = [{"iteration": a.iteration, "prompt": a.prompt, "heard": a.predicted_labels,
                 "jaccard": round(a.jaccard, 2)} for a in result.attempts]
    piece.attempts = attempts
    heard = _heard(best)
    if len({a.iteration for a in result.attempts}) > 1:  # one round's picture says no more than its "heard as" bars
        session.outbox.append(LoopChart(
            target=list(result.target), best_round=result.best.iteration,
            points=[(a.iteration, {t: round(float(a.predicted.get(t, 0.0)), 3) for t in result.target})
                    for a in result.attempts]))
    shown = _show(session, piece, heard, judge_note)
    heard_names = [g for g, _ in heard]
    reached = [t for t in result.target if t in heard_names]
    return {
        "target": result.target, "matched": len(reached) == len(result.target), "reached": reached,
        "loop_matched": result.matched, "stop_reason": result.stop_reason,
        "iterations": max(a.iteration for a in result.attempts), "pieces": [shown], "attempts": attempts,
        "reference": request.reference_title, "judge": judge_note, "using": request.using,
        "unmet": list(notes or []) + _unmet(Style(moods={m: 1.0 for m in request.asked_moods}), heard,
                                            _tempo_of(best), []),
    }


def _judge(target: list[str]):
    """The person's trained classifier (TASTEMAKER_CLASSIFIER) as the loop's judge when it knows every target
    genre; otherwise the pretrained tagger (None). Returns (judge, a note saying which judge and why)."""
    from tools.loop import ClassifierJudge, TaggerJudge

    path = get_settings().classifier
    if not path:
        return None, TaggerJudge.name
    judge = ClassifierJudge(path)
    unknown = [g for g in target if g not in judge.labels]
    if unknown:
        return None, f"{TaggerJudge.name}, because your classifier does not know {', '.join(unknown)}"
    return judge, judge.name


def _reference(session: Session, upload_ids: list[str], description: str):
    """The nearest library piece to the uploads (retrieval-augmented generation), when a library is installed."""
    try:
        from tools.library import open_library
        from tools.reference import choose_reference
    except ImportError:
        return None
    library = open_library()
    if not library.list():  # not built yet: building it takes minutes, so this request goes without
        return None
    clips = [session.upload(uid).clip for uid in upload_ids]
    try:
        return choose_reference(clips, description, library=library)
    except TastemakerError:
        return None  # no library yet: generate without a reference


# -- refinements ---------------------------------------------------------------------------------------------

# Moods that pull against each other: asking for more of one takes as much of the others back ('make it darker',
# then 'make it brighter' is a brighter piece, not one both dark and happy)
OPPOSITE_MOODS = {"happy": ("sad", "dark"), "sad": ("happy",), "dark": ("happy",),
                  "calm": ("energetic", "party"), "mellow": ("energetic", "party"),
                  "energetic": ("calm", "mellow"), "party": ("calm", "mellow")}


def _apply(table: dict[str, float], change: MusicChange, avoid: set[str], kind: str) -> dict[str, float]:
    """A label table with the change's deltas for labels of `kind` (and its removals) applied."""
    from tools.genres import ALL_LABELS, normalise

    out = dict(table)

    def put(label: str, value: float) -> None:
        if value <= 0.05:
            out.pop(label, None)
        else:
            out[label] = round(value, 3)

    for raw, delta in change.more.items():
        label = normalise(raw) or raw
        if ALL_LABELS.get(label, "instrument") != kind:
            continue
        value = _clamp(out.get(label, 0.0) + float(delta), 0.0, 1.0)
        if delta > 0:
            avoid.discard(label)
            value = max(value, AUDIBLE)  # a label the person asks for must be audible
            for other in OPPOSITE_MOODS.get(label, ()) if kind == "mood" else ():
                if other in out and other not in change.more:
                    put(other, out[other] - max(float(delta), value - table.get(label, 0.0)))
        put(label, value)
    energy = change.energy_change() if kind == "mood" else 0.0
    for other in ("calm", "mellow") if energy > 0 else ("energetic", "party") if energy < 0 else ():
        if other in out and other not in change.more:  # 'more energetic' said as a change of energy: not calm now
            put(other, out[other] - AUDIBLE)
    for raw in change.remove:
        label = normalise(raw) or raw
        out.pop(label, None)
        avoid.add(label)
    if kind == "instrument" and change.remove and SOLO in out and \
            not any(label not in SOUND_TAGS for label in out):
        # 'no drums' on a drum solo: nobody named is left to play alone, so the style's band plays (and stays the
        # band when something is added later: 'add a bass' was a bass alone)
        out.pop(SOLO)
    return out


def _part_levels(levels: dict[str, float], change: MusicChange) -> dict[str, float]:
    """A piece's part levels with the change's added ('the melody up' twice is twice as far up), within bounds."""
    out = dict(levels)
    for role, db in change.levels.items():
        out[role] = _clamp(out.get(role, 0.0) + float(db), -MAX_LEVEL_DB, MAX_LEVEL_DB)
    return {role: db for role, db in out.items() if db}


def _adds_drums(piece: GeneratedPiece, change: MusicChange) -> bool:
    """Whether a change asks for drums in a piece of ours that has none ('add drums' to a solo piano)."""
    parts = piece.generation.conditioning.get("parts")
    return change.more.get("drums", 0.0) > 0 and parts is not None and not any(p["family"] == "drums" for p in parts)


def _instrument_notes(change: MusicChange, arranger_notes: list[str], engine: str,
                      adds_drums: bool = False) -> list[str]:
    """What a louder or quieter instrument really did: the sketch engine turns the bass and the melody up (the
    arranger's notes say so), not one instrument among the others."""
    from tools.genres import ALL_LABELS, is_plural

    if engine != "sketch":  # MusicGen mixes as it plays: no part to turn up, no master fade asked of it
        asked = (["the melody's level"] if change.levels else []) + (["the fade-out"] if change.fade_out else [])
        return [f"MusicGen mixes its music itself, so {' and '.join(asked)} stayed as it made the piece"
                ] if asked else []
    notes = []
    for label, delta in change.more.items():
        if ALL_LABELS.get(label, "instrument") != "instrument" or label == "instrumental":
            continue
        if label == "drums" and adds_drums:
            continue  # they came in: the arranger's notes say so
        if label == SOLO:  # 'with a full band': not an instrument turned down, the piece's style played by its band
            if delta < 0:
                notes.append("the band plays it now, in the same style")
            elif not any("alone, as asked" in n for n in arranger_notes):  # the arranger says who plays alone
                notes.append("no instrument was named to play it alone, so the band still plays; say which "
                             "('make it solo piano')")
            continue
        if label == "drums":
            notes.append(f"{'quieter' if delta < 0 else 'busier'} drums come from a "
                         f"{'calmer' if delta < 0 else 'livelier'} groove: I can't set the drums' volume on their own")
        elif not any(label in n for n in arranger_notes):
            verb = "up" if delta > 0 else "down"
            was = "were" if is_plural(label) else "was"
            notes.append(f"I can't turn one instrument {verb} yet, and the {label} {was} already playing, so it "
                         "sounds much the same there")
    return notes


def _mix_only(change: MusicChange) -> bool:
    """True for a change of the mix alone (a part's level, the fade-out), which keeps the piece's notes."""
    return bool(change.levels or change.fade_out) and not (
        change.more or change.remove or change.tempo or change.tempo_factor or change.key or change.mode
        or change.energy_delta or change.seconds or change.seconds_factor or change.seconds_delta or change.like_last
        or change.different or change.groove or change.drop_groove)


def refine_music(session: Session, change: MusicChange, generation_id: str | None = None) -> dict[str, Any]:
    """A new piece from a piece's request with the change applied, and a new seed."""
    piece = session.piece(generation_id)
    made_at = _tempo_of(piece.generation)
    base_seed = int(piece.generation.seed)
    notes: list[str] = []
    seconds = None
    if change.seconds is not None:
        seconds, notes = fit_seconds(change.seconds, DEFAULT_SECONDS)
    elif change.seconds_delta:  # '3 seconds longer', 'add 4 seconds'
        seconds, notes = fit_seconds(piece.request.seconds + float(change.seconds_delta), DEFAULT_SECONDS)
    elif change.seconds_factor:  # 'longer', 'shorter'
        seconds, notes = fit_seconds(piece.request.seconds * float(change.seconds_factor), DEFAULT_SECONDS)
    asked_tempo = change.tempo or (made_at * change.tempo_factor if made_at and change.tempo_factor else None)
    tempo, tempo_notes = fit_tempo(asked_tempo)
    if tempo_notes and not change.tempo and change.tempo_factor:  # 'faster' of a 224 BPM piece: nobody said 268
        word = "faster" if change.tempo_factor > 1 else "slower"
        tempo_notes = [f"{word} would be {round(asked_tempo)} BPM, past what I make: it plays at {tempo:g} BPM"]
    groove, groove_notes = fit_groove(change.groove)
    notes += tempo_notes + groove_notes + _stand_ins(change.said or "")
    key, mode = fit_key(change.key, change.mode)
    if change.key and not key:
        made_key = _key_of(piece.generation)[0]
        kept = f", so the key stays {made_key}" if made_key else ""
        notes.append(f"'{change.key}' is not a key I know ({KEYS_LOOK_LIKE}){kept}")
    names_something = bool(change.more or change.remove or change.tempo or change.tempo_factor or change.key
                           or change.mode or change.energy_delta or change.seconds or change.seconds_factor
                           or change.seconds_delta
                           or change.like_last or change.levels or change.fade_out or change.groove
                           or change.drop_groove)
    if change.different:  # a fresh take: far seed, no borrowed score, the other mode, a new pace
        seed = next_seed(base_seed, DIFFERENT_STEP)
        made_mode = _key_of(piece.generation)[1]
        asked = getattr(piece.request, "style", None) or getattr(piece.request, "profile", None)
        if asked is not None and (asked.mode or set(asked.moods) & MODE_MOODS):
            mode = mode or made_mode  # 'not that' of a sad piece in minor is another sad piece, not a major one
        mode = mode or ("major" if made_mode == "minor" else "minor" if made_mode == "major" else None)
        tempo = tempo or (round(made_at * (0.85 if base_seed % 2 else 1.15)) if made_at else None)
    elif _mix_only(change):  # 'I can't hear the melody', 'fade it out': the same notes, mixed as asked
        seed = int(piece.request.seed) if piece.kind == "create" else base_seed
    elif names_something and piece.kind == "generate" and not change.like_last:
        # 'slower', 'more bass', 'no guitars': the same seed, so the same band, groove and tune with the change (a
        # new seed brought another line-up: "slower" turned the organ into a piano)
        seed = base_seed
    else:
        seed = next_seed(base_seed, 1 if piece.kind == "generate" else 7919)
    energy = change.energy_change()
    adds_drums = _adds_drums(piece, change)
    if adds_drums:  # drums brought in where there were none: the same pace, not a livelier take
        energy -= MusicChange(more={"drums": 1.0}).energy_change()
    # a change keeps what it does not name: the key, the mode and the pace (nudged by energy); 'another one' and
    # 'a completely different take' name nothing to keep
    mode = mode or _mode_for_moods({label: d for label, d in change.more.items() if _kind(label) == "mood"})
    if names_something and not change.different and not _mix_only(change):  # (the mix alone: the same seed)
        made_key, made_mode = _key_of(piece.generation)
        if key and not mode and made_mode in ("major", "minor"):  # 'in the key of D' says no mode: the piece's is kept
            other = "major" if made_mode == "minor" else "minor"
            notes.append(f"{key} {made_mode}: kept its {made_mode} mode; say '{key} {other}' for {other}")
        key, mode = key or made_key, mode or made_mode
        if tempo is None and made_at:
            nudge = 1.1 if (energy or 0) > 0 else 0.9 if (energy or 0) < 0 else 1.0
            tempo, _ = fit_tempo(round(made_at * nudge))
    wanted = [g for g, d in change.more.items() if d > 0 and _kind(g) == "genre"]
    if piece.kind == "create" and _mix_only(change) and piece.generation.style is not None:
        # the loop's pick made again as it was made (its prompt, style, seed and reference), mixed as asked: a new
        # loop run would pick among other takes
        request: LoopRequest = piece.request
        g = piece.generation
        style = replace(g.style, levels=_part_levels(request.levels, change),
                        fade_out_s=ASKED_FADE_S if change.fade_out else request.fade_out_s)
        again = GenerationRequest(prompt=g.prompt, style=style, seconds=request.seconds, seed=base_seed,
                                  engine=g.engine, reference_midi=request.reference_midi, like=request.like,
                                  themes=list(request.profile.themes))
        result = run_generation(session, again, notes)
    elif piece.kind == "create":
        request: LoopRequest = piece.request
        profile = request.profile
        avoid = set(profile.avoid)
        profile = replace(profile, genres=_apply(profile.genres, change, avoid, "genre"),
                          moods=_apply(profile.moods, change, avoid, "mood"),
                          instruments=_apply(profile.instruments, change, avoid, "instrument"),
                          tempo=tempo or profile.tempo, key=key or profile.key, mode=mode or profile.mode,
                          energy=_clamp((profile.energy if profile.energy is not None else 0.5) + energy, 0, 1)
                          if energy else profile.energy)
        profile = replace(profile, avoid=sorted(avoid))
        target = [g for g in request.target or [] if g not in avoid]
        target += [g for g in wanted if g not in target]
        loop_request = replace(request, profile=profile, target=target or None, seed=seed,
                               seconds=seconds or request.seconds, levels=_part_levels(request.levels, change),
                               fade_out_s=ASKED_FADE_S if change.fade_out else request.fade_out_s,
                               groove=groove or (None if change.different or change.drop_groove else request.groove))
        if change.like_last:
            loop_request = replace(loop_request, reference_midi=piece.generation.midi_path or None,
                                   like=None if piece.generation.midi_path else piece.generation.audio_path)
        elif change.different:
            loop_request = replace(loop_request, reference_midi=None, like=None)
        result = run_loop(session, loop_request, notes)
    else:
        request: GenerationRequest = piece.request
        style = request.style or Style()
        made_as = piece.generation.conditioning.get("blend") or {}
        named = any(d > 0 and _kind(g) == "genre" for g, d in change.more.items())
        if not style.genres and made_as and not change.different and not named:  # (a style named replaces the pick)
            # the style the arranger chose for an ask without one stays: 'that's too busy' on a pop song made
            # without a genre made it ambient (calm words choose ambient when no genre is named)
            style = replace(style, genres={g: float(w) for g, w in made_as.items()})
        used = piece.generation.style or style
        avoid = set(style.avoid)
        style = replace(style, genres=_apply(style.genres, change, avoid, "genre"),
                        moods=_apply(style.moods, change, avoid, "mood"),
                        instruments=_apply(style.instruments, change, avoid, "instrument"), avoid=sorted(avoid),
                        tempo=tempo or style.tempo, key=key or style.key, mode=mode or style.mode,
                        levels=_part_levels(style.levels, change),
                        fade_out_s=ASKED_FADE_S if change.fade_out else style.fade_out_s,
                        # a groove asked for stays through changes ('slower' is still a bossa nova), not a fresh take
                        groove=groove or (None if change.different or change.drop_groove else style.groove))
        if change.drop_groove:  # 'no blast beats': said what plays instead, or that nothing was asked to go
            notes.append(f"the {request.style.groove} groove is gone: the style plays its own again"
                         if request.style is not None and request.style.groove else
                         "no groove was asked for in it, so it keeps the one its style chose")
        if energy:
            style = replace(style, energy=_clamp((used.energy if used.energy is not None else 0.5) + energy, 0.0, 1.0))
        # one take unless more are asked for: 'make me 3 rock songs' was about that request, not this change
        candidates, candidate_notes = fit_candidates(change.candidates, 1)
        notes += candidate_notes
        new = replace(request, style=style, seed=seed, seconds=seconds or request.seconds, candidates=candidates)
        themes = list(request.themes or [])
        if change.more or change.remove or request.prompt == describe_style(request.style or Style(), themes):
            # the first words name what is changed now ('jazz rock' after 'no more jazz'): the engine's text prompt
            # (MusicGen plays from it; the file is named after it) is the changed style's, not those words; and a
            # prompt that already was a style's description (a change of a change) would name the last one's tempo
            new = replace(new, prompt=describe_style(style, themes))
        if change.like_last:  # 'more like this': borrow the piece's own score (sketch) or audio (MusicGen)
            new = replace(new, reference_midi=piece.generation.midi_path or None,
                          like=None if piece.generation.midi_path else piece.generation.audio_path)
        elif change.different:
            new = replace(new, reference_midi=None, like=None)
        result = run_generation(session, new, notes)  # says which of the piece's genres are not heard, not only new ones
    made = result["pieces"][0]
    result["unmet"] += _instrument_notes(change, made.get("notes", []), made["engine"], adds_drums)
    result["refined_from"] = piece.id
    result["change"] = change.said or _said(change)
    for shown in result["pieces"]:  # every take asked for is a take on that piece
        new_piece = session.piece(shown["id"])
        new_piece.refined_from, new_piece.change = piece.id, result["change"]
    result["different"] = change.different
    return result


MODE_MOODS = {"sad", "dark", "happy"}  # moods that chose the piece's mode: a fresh take keeps it


def _kind(label: str) -> str:
    from tools.genres import ALL_LABELS, normalise

    return ALL_LABELS.get(normalise(label) or label, "instrument")


def _said(change: MusicChange) -> str:
    """The change in words, when the caller did not pass the person's own."""
    parts = [f"{'more' if d > 0 else 'less'} {label}" for label, d in change.more.items()]
    parts += [f"no {label}" for label in change.remove]
    if change.tempo_factor:
        parts.append("faster" if change.tempo_factor > 1 else "slower")
    if change.key or change.mode:
        parts.append(f"in {change.key or ''} {change.mode or ''}".strip())
    parts += [f"the {'melody' if role == 'lead' else role} {'up' if db > 0 else 'down'}"
              for role, db in change.levels.items()]
    if change.fade_out:
        parts.append("a fade-out at the end")
    if change.different:
        parts.append("a different take")
    return ", ".join(parts) or "another take"


def list_pieces(session: Session) -> dict[str, Any]:
    """The pieces made in this chat, in order: what each was asked to be, what the tagger hears in it, what it
    changed, whether it was liked; and which one the tagger hears closest to its ask (the share of the asked genres
    among the top three heard, then how strongly the asked genres are heard), a hint, not a verdict, with its why."""
    out = []
    for piece in session.pieces.values():
        g = piece.generation
        genres = (g.style.genres if g.style else None) or g.conditioning.get("blend") or {}  # else the arranger's
        asked = [k for k, _ in sorted(genres.items(), key=lambda kv: -kv[1])[:3]]
        here = Path(g.audio_path).is_file()
        heard = [name for name, _ in _heard(g)[:3]] if here else []
        probabilities = _genre_probabilities(g) if here else {}
        out.append({"id": piece.id, "title": piece_title(piece), "name": piece.name, "seconds": round(g.duration),
                    "heard": heard,
                    "gone": not here,
                    "liked": piece.liked, "refined_from": piece.refined_from, "change": piece.change,
                    "match": round(len(set(asked) & set(heard)) / len(asked), 2) if asked else None,
                    "asked_heard": {a: round(float(probabilities.get(a, 0.0)), 2) for a in asked} if here else {}})
    # 'which one was better?' of two versions neither of which is heard as its ask: the nearer one still, and why
    def strength(p: dict[str, Any]) -> tuple[float, float]:
        return (p["match"] or 0, sum(p["asked_heard"].values()) / len(p["asked_heard"]))

    scored = sorted((p for p in out if p["asked_heard"]), key=strength, reverse=True)
    if len(out) < 2 or not scored:
        return {"pieces": out, "closest": None}

    # two heard alike (the same share in the top three, within 0.02): too close to call, not one named closest
    tie = len(scored) > 1 and strength(scored[0])[0] == strength(scored[1])[0] and \
        abs(strength(scored[0])[1] - strength(scored[1])[1]) < 0.02
    return {"pieces": out, "closest": scored[0]["id"], "closest_heard": scored[0]["asked_heard"],
            "closest_in_top": bool(scored[0]["match"]), "tie": tie,
            "next": ({"id": scored[1]["id"], "heard": scored[1]["asked_heard"]} if len(scored) > 1 else None)}


def _genre_probabilities(generation: Generation) -> dict[str, float]:
    """Every genre the tagger heard in a generated file, with its probability."""
    if generation.tags is not None and generation.tags.probabilities:
        return dict(generation.tags.probabilities)
    path = Path(generation.audio_path)
    return _tagged_genres(str(path), path.stat().st_mtime_ns if path.is_file() else 0)


def explain_music(session: Session, generation_id: str | None = None) -> dict[str, Any]:
    """How a piece was made: what was asked (labels and weights), the prompt, the engine and seed, and what
    the tagger heard (at each step of the loop, for a piece the loop made)."""
    piece = session.piece(generation_id)
    g = piece.generation
    style = g.style or Style()
    out: dict[str, Any] = {
        "id": piece.id, "kind": piece.kind, "prompt": g.prompt, "engine": g.engine, "model": g.model,
        "seed": g.seed, "engine_choice": g.conditioning.get("engine_choice", ""),
        "weights": {"genres": style.genres, "moods": style.moods, "instruments": style.instruments},
        "avoid": style.avoid, "tempo": _tempo_of(g), "key": " ".join(k for k in _key_of(g) if k) or style.key,
        "energy": style.energy,
        "heard": _heard(g), "notes": g.conditioning.get("notes", []),
    }
    request = piece.request
    if isinstance(request, LoopRequest):
        out |= {"target": request.target, "attempts": piece.attempts, "using": request.using,
                "said": request.description, "reference": request.reference_title}
    else:  # a take on a take: what the person first said (a changed take's prompt is its style's words)
        out["said"] = piece_words(session, piece)[0]
    if piece.refined_from:
        out |= {"refined_from": piece.refined_from, "change": piece.change}
    if piece.from_library:
        out["from_library"] = piece.name or piece.library_id
    # a piece saved in an earlier chat, unchanged since: why it plays as it does, as said when it was saved
    out["why"] = list(piece.earlier_why) if piece.from_library and piece.earlier_why else _why(session, piece, out)
    return out


def explain_inputs(session: Session, piece: GeneratedPiece) -> dict[str, Any]:
    """What _why reads of an explanation: the first words, the tempo and the key the piece was made at."""
    g = piece.generation
    return {"said": piece_words(session, piece)[0], "tempo": _tempo_of(g),
            "key": " ".join(k for k in _key_of(g) if k) or (g.style.key if g.style else None)}


def piece_words(session: Session, piece: GeneratedPiece) -> list[str]:
    """The words that made a piece: what was first asked, then each change asked since, in order, over chats (a piece
    saved in an earlier chat and played in this one brings its own)."""
    chain = [piece]
    while chain[-1].refined_from in session.pieces:
        chain.append(session.pieces[chain[-1].refined_from])
    if isinstance(piece.request, LoopRequest):
        first_said = piece.request.description
    else:  # a take on a take: what the person first said (a changed take's prompt is its style's words)
        first = piece
        while first.refined_from in session.pieces and not isinstance(session.pieces[first.refined_from].request,
                                                                      LoopRequest):
            first = session.pieces[first.refined_from]
        first_said = first.earlier_words[0] if first.earlier_words else first.request.prompt
    return [first_said, *chain[-1].earlier_words[1:], *(p.change or "" for p in reversed(chain) if p.refined_from)]


def _changed_by(session: Session, chain: list[GeneratedPiece], value) -> str:
    """The latest change in a piece's line that moved `value` (its tempo, its key), said as what was asked."""
    for p in chain:
        parent = session.pieces.get(p.refined_from or "")
        if parent is not None and value(p) != value(parent):
            return f"the change you asked of {parent.id}, \"{p.change}\"" if p.change else f"a new take on {parent.id}"
    return ""


def _said_why(why: str, words: str) -> str:
    """Why a label was read from the person's words: the words ("you said 'drive' (similar, 0.82)"), or, for a
    style guessed from the whole sentence, that sentence ('music for a rainy day' names no style)."""
    if why.startswith("whole text"):
        return f"the styles nearest in meaning to what you said, \"{words.strip()}\""
    return f"you said {why}"


def _why(session: Session, piece: GeneratedPiece, shown: dict[str, Any]) -> list[str]:
    """Why the piece plays as it does: which words, which uploaded song or taste, or the style's own habit set
    its genres, tempo, key and mode, and instruments. Read from what is kept per piece: the first words and each
    change since (through the one parser), the loop's taste, the reference the engine borrowed from."""
    from tools.language import read_slots

    g = piece.generation
    style = g.style or Style()
    chain = [piece]
    while chain[-1].refined_from in session.pieces:
        chain.append(session.pieces[chain[-1].refined_from])
    reasons: dict[str, str] = {}
    said = piece_words(session, piece)
    said[0] = shown.get("said") or said[0]
    request = piece.request
    for n, words in enumerate(said):
        if words.strip():  # the first words by meaning too, as they were read to make it ('music for a rainy day')
            read = read_slots(words, meaning=n == 0 and not isinstance(request, LoopRequest))
            reasons |= {label: _said_why(why, words) for label, why in read.reasons.items()}
    songs = ", ".join(request.using) if isinstance(request, LoopRequest) and request.using else ""
    taste = f"your songs ({songs})" if songs else "your taste" if isinstance(request, LoopRequest) else ""
    reference = g.conditioning.get("reference") or {}
    borrowed = ""
    if reference:
        source = str(reference.get("source") or "")
        name = next((u.name for u in session.uploads.values() if u.path == source), Path(source).name)
        borrowed = f"{name}, the song it follows"
    primary = next(iter(style.genres), "")
    why: list[str] = []

    because: dict[str, list[str]] = {}  # two styles for one reason are said together ('ambient and world (...)')
    for genre in style.genres:
        because.setdefault(reasons[genre] if genre in reasons else reasons.get(f"more {genre}") or taste or "chosen",
                           []).append(genre)
    genres = [f"{' and '.join(named)} ({why})" for why, named in because.items()]
    if genres:
        why.append("genres: " + "; ".join(genres))
    tempo = shown.get("tempo")
    first = chain[-1]  # the piece as first asked: its words, taste or song set what no change since has moved
    if tempo:
        moved = _changed_by(session, chain, lambda p: round(_tempo_of(p.generation) or 0))
        if moved:
            because = moved
        elif "tempo" in reasons and first.generation.style and first.generation.style.tempo:
            because = reasons["tempo"]
        elif taste and first.generation.style and first.generation.style.tempo:
            because = f"the tempo of {taste}"
        elif borrowed:
            because = f"the tempo of {borrowed}"
        else:
            because = f"{possessive(primary or 'the style')} usual range" + (
                f", placed by its energy ({style.energy:.1f} of 1)" if style.energy is not None else "")
        why.append(f"tempo {tempo:.0f} BPM: {because}")
    key = shown.get("key")
    if key:
        moved = _changed_by(session, chain, lambda p: _key_of(p.generation))
        first_style = first.generation.style or Style()
        if moved:
            because = moved
        elif "key" in reasons and first_style.key:
            because = reasons["key"]
        elif taste and first_style.key:
            because = f"the key of {taste}"
        elif borrowed:
            because = f"the key of {borrowed}"
        else:
            sad = [m for m in ("sad", "dark") if m in first_style.moods]
            happy = "happy" in first_style.moods
            mode = _key_of(g)[1]
            because = f"a key {primary or 'the style'} is often played in" + (
                f", {mode} for the {' and '.join(sad)} mood" if sad and mode == "minor"
                else ", major for the happy mood" if happy and mode == "major" else "")
        why.append(f"key {key}: {because}")
    players = list(dict.fromkeys(p["name"] for p in g.conditioning.get("parts", [])))  # two guitars: named once
    asked = [i for i in style.instruments if i in reasons]
    if players or asked:
        line = "instruments: " + (", ".join(f"{SAID_AS.get(i, i)} ({reasons[i]})" for i in asked) + "; "
                                  if asked else "")
        rest = [p for p in players if not any(i in p for i in asked)]
        if rest:
            line += f"{', '.join(rest)}: {possessive(primary)} usual band" if primary else ", ".join(rest)
        why.append(line.rstrip("; "))
    return why

