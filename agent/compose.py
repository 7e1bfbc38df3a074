"""Making music in a chat: generate from words, create with the classifier in the loop, refine the last piece.

Every piece is kept in the session (ids g1, g2...) with the request that made
it, so "more jazz", "faster", "less drums", "another one" or "more energetic"
start from exactly what was asked last time (agent.intents.parse_change reads
the change). Each result is re-tagged so the answer can say what it sounds like.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from agent.intents import parse_change
from agent.session import AudioResult, GeneratedPiece, Session
from tools.contracts import Generation, Style, TasteProfile
from tools.errors import TastemakerError
from tools.settings import get_settings

DEFAULT_SECONDS = 15.0  # a quick first listen; "longer" or "30 seconds" changes it
LOOP_SECONDS = 10.0  # each loop attempt (the loop makes several)
MIN_SECONDS, MAX_SECONDS = 3.0, 120.0
LABEL_WEIGHT = 0.8  # a mood or instrument the person names


def _clamp(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def style_from_words(description: str, genres: dict[str, float] | None = None, moods: list[str] | None = None,
                     instruments: list[str] | None = None, avoid: list[str] | None = None,
                     tempo: float | None = None) -> tuple[Style, list[str]]:
    """tools.text_style's reading of the words, with the slots the agent extracted laid over it."""
    from tools.genres import normalise
    from tools.text_style import parse_text

    parsed = parse_text(description) if description.strip() else None
    style = replace(parsed.style) if parsed else Style()
    style.genres = dict(style.genres)
    style.moods = dict(style.moods)
    style.instruments = dict(style.instruments)
    for g, w in (genres or {}).items():
        label = normalise(g) or g
        style.genres[label] = max(style.genres.get(label, 0.0), _clamp(float(w), 0.0, 1.0))
    for m in moods or []:
        style.moods[normalise(m) or m] = max(style.moods.get(m, 0.0), LABEL_WEIGHT)
    for i in instruments or []:
        style.instruments[normalise(i) or i] = max(style.instruments.get(i, 0.0), LABEL_WEIGHT)
    style.avoid = sorted(set(style.avoid) | {normalise(a) or a for a in avoid or []})
    for table in (style.genres, style.moods, style.instruments):
        for label in style.avoid:
            table.pop(label, None)
    if tempo:
        style.tempo = _clamp(float(tempo), 40.0, 240.0)
    return style, list(parsed.themes) if parsed else []


def _heard(generation: Generation) -> list[tuple[str, float]]:
    """The tagger's top genres for a generated file (the loop has already tagged its own)."""
    if generation.tags is not None and generation.tags.probabilities:
        probs = generation.tags.probabilities
    else:
        from tools.audio import load_clip
        from tools.tagger import tag_full

        probs = tag_full(load_clip(generation.audio_path)).genres.probabilities
    return [(g, round(float(p), 3)) for g, p in sorted(probs.items(), key=lambda kv: -kv[1])[:3]]


def _tempo_of(g: Generation) -> float | None:
    """The tempo the piece was made at (the sketch engine records the one it chose)."""
    tempo = g.conditioning.get("tempo") or (g.style.tempo if g.style else None)
    return float(tempo) if tempo else None


def _show(session: Session, piece: GeneratedPiece, heard: list[tuple[str, float]]) -> dict[str, Any]:
    g = piece.generation
    asked = ", ".join(f"{k} {v:.1f}" for k, v in sorted((g.style.genres if g.style else {}).items(),
                                                         key=lambda kv: -kv[1])[:3])
    caption = f"{g.engine} engine, model {g.model}, seed {g.seed}, {g.duration:.0f} s"
    session.outbox.append(AudioResult(path=g.audio_path, title=f"{piece.id}: {asked or 'your piece'}",
                                      caption=caption, generation_id=piece.id))
    return {
        "id": piece.id, "engine": g.engine, "model": g.model, "seed": g.seed, "seconds": round(g.duration, 1),
        "asked_genres": g.style.genres if g.style else {}, "tempo": round(_tempo_of(g)) if _tempo_of(g) else None,
        "heard_genres": heard, "engine_choice": g.conditioning.get("engine_choice", ""),
        "notes": g.conditioning.get("notes", []), "hook": _hook(g.conditioning.get("lyrics", [])),
    }


def _hook(lyrics: list[str]) -> str:
    """The line a rapped piece repeats most (its chorus hook; the first line when none repeats)."""
    return min(lyrics, key=lambda line: (-lyrics.count(line), lyrics.index(line))) if lyrics else ""


def _progress(session: Session):
    return lambda fraction, what: session.reporter.progress(what, fraction)


def _upload_paths(session: Session, upload_ids: list[str] | None) -> list[str]:
    return [session.upload(uid).path for uid in upload_ids or []]


def run_generation(session: Session, request: dict[str, Any]) -> dict[str, Any]:
    """Generate from a stored request (the dict a piece keeps), keep and show every candidate."""
    from tools.generate import GenerationRequest, generate

    style = Style(**request["style"])
    gens = generate(
        GenerationRequest(
            prompt=request["description"] or "music", style=style, seconds=request["seconds"], seed=request["seed"],
            candidates=request["candidates"], engine=request["engine"], like=request.get("like"),
            reference_midi=request.get("reference_midi"), themes=list(request.get("themes", [])),
        ),
        progress=_progress(session),
    )
    pieces = []
    for i, gen in enumerate(gens):
        session.reporter.progress(f"listening to candidate {i + 1}", (i + 1) / (len(gens) + 1))
        piece = session.keep(gen, request | {"seed": gen.seed}, kind="generate")
        pieces.append(_show(session, piece, _heard(gen)))
    return {"pieces": pieces}


def generate_music(session: Session, description: str = "", genres: dict[str, float] | None = None,
                   moods: list[str] | None = None, instruments: list[str] | None = None,
                   avoid: list[str] | None = None, tempo: float | None = None, seconds: float | None = None,
                   engine: str | None = None, candidates: int | None = None,
                   like_upload_ids: list[str] | None = None) -> dict[str, Any]:
    style, themes = style_from_words(description, genres, moods, instruments, avoid, tempo)
    if not (style.genres or style.moods or style.instruments or description.strip()):
        raise TastemakerError("Tell me what to make, e.g. 'a calm piano piece' or 'a 20 second rock track'.")
    likes = _upload_paths(session, like_upload_ids)
    request = {
        "description": description, "style": asdict(style), "themes": themes,
        "seconds": _clamp(float(seconds or DEFAULT_SECONDS), MIN_SECONDS, MAX_SECONDS),
        "seed": None, "candidates": int(candidates or 1), "engine": engine or "auto",
        "like": likes[0] if likes else None, "reference_midi": None,
    }
    return run_generation(session, request)


def _profile_for(session: Session, upload_ids: list[str], description: str) -> TasteProfile:
    from agent.actions import _taste_analysis
    from tools.taste import load_profile, merge_text, profile_from_analyses

    if upload_ids:
        profile = profile_from_analyses([_taste_analysis(session, uid) for uid in upload_ids])
    else:
        profile = session.profile or load_profile(session.user) or TasteProfile()
    return merge_text(profile, description)


def run_loop(session: Session, request: dict[str, Any]) -> dict[str, Any]:
    """The classifier in the loop (tools.loop.create) from a stored request; keeps and shows the best piece."""
    from tools.loop import LoopConfig, create, target_from_profile

    profile = TasteProfile(**request["profile"])
    judge, judge_note = _judge(request.get("target") or target_from_profile(profile))
    config = LoopConfig(max_iters=request["max_iters"], candidates=request["candidates"],
                        seconds=request["seconds"], engine=request["engine"], seed=request["seed"],
                        reference_midi=request.get("reference_midi"), like=request.get("like"))
    reporter = session.reporter
    open_steps: list[Any] = []

    def on_event(kind: str, info: dict) -> None:
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
            verdict = "match" if info["matched"] else "no match"
            reporter.progress(f"heard {', '.join(a.predicted_labels) or 'nothing clear'} "
                              f"(jaccard {a.jaccard:.2f}, {verdict})", a.iteration / config.max_iters)
        elif kind == "stop":
            while open_steps:
                open_steps.pop().__exit__(None, None, None)

    try:
        result = create(profile, request.get("target") or None, config, judge=judge, on_event=on_event)
    finally:
        while open_steps:
            open_steps.pop().__exit__(None, None, None)
    session.last_loop = result
    if result.best is None:
        raise TastemakerError(f"Nothing was generated ({result.stop_reason}). Try again with a longer time budget.")
    best = result.best.generation
    piece = session.keep(best, request | {"seed": best.seed, "target": result.target}, kind="create")
    shown = _show(session, piece, _heard(best))
    return {
        "target": result.target, "matched": result.matched, "stop_reason": result.stop_reason,
        "iterations": max(a.iteration for a in result.attempts), "pieces": [shown],
        "attempts": [{"iteration": a.iteration, "heard": a.predicted_labels, "jaccard": round(a.jaccard, 2)}
                     for a in result.attempts],
        "reference": request.get("reference_title"),
        "judge": judge_note,
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


def create_music(session: Session, description: str = "", upload_ids: list[str] | None = None,
                 genres: dict[str, float] | None = None, moods: list[str] | None = None,
                 instruments: list[str] | None = None, avoid: list[str] | None = None, tempo: float | None = None,
                 seconds: float | None = None, engine: str | None = None, candidates: int | None = None,
                 max_iters: int | None = None) -> dict[str, Any]:
    ids = list(upload_ids or [])
    profile = _profile_for(session, ids, description)
    style, _ = style_from_words("", genres, moods, instruments, avoid, tempo)
    profile = replace(profile, genres={**profile.genres, **style.genres}, moods={**profile.moods, **style.moods},
                      instruments={**profile.instruments, **style.instruments},
                      avoid=sorted(set(profile.avoid) | set(style.avoid)), tempo=style.tempo or profile.tempo)
    if not profile.genres:
        raise TastemakerError("I need something to aim for: upload songs you like, or name a genre "
                              "(e.g. 'make me something jazzy like these').")
    session.profile = profile
    request: dict[str, Any] = {
        "description": description, "profile": asdict(profile), "target": list(genres or {}) or None,
        "seconds": _clamp(float(seconds or LOOP_SECONDS), MIN_SECONDS, MAX_SECONDS), "seed": 0,
        "candidates": int(candidates or 2), "engine": engine or "auto", "max_iters": int(max_iters or 4),
    }
    reference = _reference(session, ids, description)
    if reference is not None:
        request |= {"reference_midi": reference.midi_path or None, "reference_title": f"{reference.title} by "
                    f"{reference.artist}".strip()}
    return run_loop(session, request)


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


def _apply(table: dict[str, float], deltas: dict[str, float], avoid: set[str]) -> dict[str, float]:
    out = dict(table)
    for label, delta in deltas.items():
        if delta <= -1.0:
            out.pop(label, None)
            avoid.add(label)
            continue
        value = _clamp(out.get(label, 0.0) + delta, 0.0, 1.0)
        if delta > 0:
            avoid.discard(label)
            value = max(value, 0.5)  # a label the person asks for must be audible
        if value <= 0.05:
            out.pop(label, None)
        else:
            out[label] = round(value, 3)
    return out


def refine_music(session: Session, change: str, generation_id: str | None = None) -> dict[str, Any]:
    """A new piece from the last one's request with the person's change applied, and a new seed."""
    piece = session.piece(generation_id)
    c = parse_change(change)
    request = dict(piece.request)
    used = piece.generation.style or Style()
    base_seed = int(piece.generation.seed)
    request["seed"] = base_seed + 1 if piece.kind == "generate" else base_seed + 7919
    if c.seconds:
        request["seconds"] = _clamp(c.seconds, MIN_SECONDS, MAX_SECONDS)
    elif c.seconds_factor != 1.0:
        request["seconds"] = _clamp(request["seconds"] * c.seconds_factor, MIN_SECONDS, MAX_SECONDS)
    if c.like_last:  # "more like this": borrow the piece's own score (sketch) or audio (MusicGen)
        request["reference_midi"] = piece.generation.midi_path or None
        request["like"] = None if piece.generation.midi_path else piece.generation.audio_path
    made_at = _tempo_of(piece.generation)
    tempo = c.tempo or (made_at * c.tempo_factor if made_at and c.tempo_factor != 1.0 else None)
    if piece.kind == "create":
        profile = TasteProfile(**request["profile"])
        avoid = set(profile.avoid)
        profile = replace(profile, genres=_apply(profile.genres, c.genres, avoid),
                          moods=_apply(profile.moods, c.moods, avoid),
                          instruments=_apply(profile.instruments, c.instruments, avoid),
                          tempo=_clamp(tempo, 40, 240) if tempo else profile.tempo,
                          energy=_clamp((profile.energy if profile.energy is not None else 0.5) + c.energy, 0, 1)
                          if c.energy else profile.energy)
        profile = replace(profile, avoid=sorted(avoid))
        target = [g for g in request.get("target") or [] if g not in avoid]
        target += [g for g, d in c.genres.items() if d > 0 and g not in target]
        request |= {"profile": asdict(profile), "target": target or None}
        result = run_loop(session, request)
    else:
        style = Style(**request["style"])
        avoid = set(style.avoid)
        style = replace(style, genres=_apply(style.genres, c.genres, avoid), moods=_apply(style.moods, c.moods, avoid),
                        instruments=_apply(style.instruments, c.instruments, avoid), avoid=sorted(avoid),
                        tempo=_clamp(tempo, 40, 240) if tempo else style.tempo)
        if c.energy:
            style.energy = _clamp((used.energy if used.energy is not None else 0.5) + c.energy, 0.0, 1.0)
        request["style"] = asdict(style)
        result = run_generation(session, request)
    result["refined_from"] = piece.id
    result["change"] = change
    return result
