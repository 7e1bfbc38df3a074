"""Scores from music21's corpus to MIDI and audio: the rendering half of the default library.

Kept apart from the rest of tools.library so that rendering worker processes
import music21, pretty_midi and FluidSynth only (not torch).
"""

from __future__ import annotations

import copy
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from tools.atomic import write_bytes
from tools.errors import TastemakerError
from tools.library.catalogue import Piece

MAX_SECONDS = 45.0
MIN_SECONDS = 30.0
RENDER_RATE = 22050


@dataclass
class Rendered:
    piece_id: str
    audio: str
    midi: str
    title: str


def _score_title(score, piece: Piece) -> str:
    md = score.metadata
    found = ""
    if md is not None:
        found = (md.title or md.movementName or "").strip()
        if found.isupper():
            found = found.title()  # ABC collections shout their titles
    if piece.corpus_path.startswith("bach/"):
        number = piece.corpus_path.split("/")[-1].removesuffix(".mxl").removeprefix("bwv")
        return f"Chorale BWV {number}" + (f": {found}" if found and not found.startswith("bwv") else "")
    return found or Path(piece.corpus_path).stem


def score_to_midi(score, piece: Piece):
    """A pretty_midi.PrettyMIDI of the score's first MAX_SECONDS (ties joined, one instrument per part)."""
    import pretty_midi
    from music21 import harmony, tempo

    qpm = None
    for mark in score.recurse().getElementsByClass(tempo.MetronomeMark):
        qpm = mark.getQuarterBPM()
        if qpm:
            break
    qpm = float(qpm or piece.tempo)
    spb = 60.0 / qpm
    cap = MAX_SECONDS / spb  # in quarter notes
    pm = pretty_midi.PrettyMIDI(initial_tempo=qpm)
    parts = list(score.parts) if score.hasPartLikeStreams() else [score]
    for number, part in enumerate(parts):
        program = piece.programs[min(number, len(piece.programs) - 1)]
        inst = pretty_midi.Instrument(program=program, name=f"part {number + 1}")
        velocity = 90 if number == 0 else 74  # the top part carries the tune
        held: dict[int, pretty_midi.Note] = {}
        for element in part.recurse().notes:
            if isinstance(element, harmony.ChordSymbol):
                continue  # lead-sheet chord names are not notes to play
            start = float(element.getOffsetInHierarchy(part))
            if start >= cap:
                break
            length = float(element.duration.quarterLength)
            if length <= 0:
                continue  # grace notes
            tie = element.tie.type if element.tie is not None else None
            end = min(start + length, cap) * spb
            for pitch in element.pitches:
                if tie in ("stop", "continue") and pitch.midi in held:
                    held[pitch.midi].end = end
                    continue
                note = pretty_midi.Note(velocity=velocity, pitch=int(pitch.midi), start=start * spb, end=end)
                inst.notes.append(note)
                if tie in ("start", "continue"):
                    held[pitch.midi] = note
                else:
                    held.pop(pitch.midi, None)
        if inst.notes:
            pm.instruments.append(inst)
    if not pm.instruments:
        raise TastemakerError(f"{piece.corpus_path}: the score has no notes to play.")
    return pm


def _repeat_to(pm, seconds: float):
    """Play a short tune through again (after a one-beat breath) until it lasts `seconds`."""
    length = pm.get_end_time()
    if length <= 0 or length >= seconds:
        return pm
    gap = 0.5
    rounds = int(np.ceil(seconds / (length + gap)))
    for inst in pm.instruments:
        first = list(inst.notes)
        for r in range(1, rounds):
            shift = r * (length + gap)
            for n in first:
                if n.start + shift < MAX_SECONDS:
                    moved = copy.copy(n)
                    moved.start, moved.end = n.start + shift, min(n.end + shift, MAX_SECONDS)
                    inst.notes.append(moved)
    return pm


def render_piece(piece: Piece, out_dir: str) -> Rendered:
    """Parse, convert and render one piece; writes <id>.mid and <id>.flac atomically (a worker-process job)."""
    from music21 import corpus

    from tools.render import render_midi

    warnings.filterwarnings("ignore")  # music21's notes on irregular measures are not the user's business

    out = Path(out_dir)
    audio, midi = out / f"{piece.id}.flac", out / f"{piece.id}.mid"
    score = corpus.parse(piece.corpus_path, number=piece.number) if piece.number else corpus.parse(piece.corpus_path)
    title = piece.title or _score_title(score, piece)
    if audio.is_file() and midi.is_file():
        return Rendered(piece.id, str(audio), str(midi), title)
    pm = _repeat_to(score_to_midi(score, piece), MIN_SECONDS)
    samples = render_midi(pm, sample_rate=RENDER_RATE)
    samples = samples[: int((MAX_SECONDS + 2.0) * RENDER_RATE)]  # keep the release of the last notes
    midi_bytes, audio_bytes = io.BytesIO(), io.BytesIO()
    pm.write(midi_bytes)
    sf.write(audio_bytes, samples, RENDER_RATE, format="FLAC", subtype="PCM_16")
    write_bytes(midi, midi_bytes.getvalue())
    write_bytes(audio, audio_bytes.getvalue())  # the audio last: its presence means the pair is complete
    return Rendered(piece.id, str(audio), str(midi), title)
