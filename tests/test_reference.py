"""Retrieval-augmented generation: the nearest library piece conditions the next generation."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pretty_midi

from tools.audio import clip_from_array, write_wav
from tools.contracts import TasteProfile
from tools.library import Library
from tools.loop import LoopConfig, create
from tools.reference import choose_reference
from tools.render import render_midi


def _piece(program: int, drums: bool, root: int, seconds: float = 8.0) -> pretty_midi.PrettyMIDI:
    pm = pretty_midi.PrettyMIDI(initial_tempo=120 if drums else 72)
    inst = pretty_midi.Instrument(program)
    step = 0.5 if drums else 1.6
    t, i = 0.0, 0
    while t < seconds:
        chord = [root, root + 7, root + 12] if drums else [root, root + 4, root + 7, root + 12]
        for p in chord:
            inst.notes.append(pretty_midi.Note(100, p + (i % 4 == 3) * 5, t, t + step))
        t += step
        i += 1
    pm.instruments.append(inst)
    if drums:
        kit = pretty_midi.Instrument(0, is_drum=True)
        for b in range(int(seconds / 0.25)):
            kit.notes.append(pretty_midi.Note(120, 36 if b % 4 == 0 else 38 if b % 4 == 2 else 42, b * 0.25,
                                              b * 0.25 + 0.1))
        pm.instruments.append(kit)
    return pm


def test_like_this_borrows_from_the_nearest_library_piece(tmp_path):
    rows = []
    for name, program, drums, root, desc in [
        ("quartet", 48, False, 60, "a slow string quartet movement, violins and cello"),
        ("riff", 30, True, 40, "loud rock riff with distorted guitar and drums"),
    ]:
        pm = _piece(program, drums, root)
        midi = tmp_path / f"{name}.mid"
        pm.write(str(midi))
        write_wav(tmp_path / f"{name}.wav", render_midi(pm), 32000)
        rows.append({"path": f"{name}.wav", "id": name, "title": name.title(), "artist": "Test Ensemble",
                     "description": desc, "midi_path": f"{name}.mid"})
    manifest = tmp_path / "manifest.csv"
    with open(manifest, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    library = Library(tmp_path / "home")
    library.add_manifest(manifest, progress=False)

    strings_again = clip_from_array(render_midi(_piece(48, False, 62)), 32000, "my-favourite.wav")
    assert choose_reference([strings_again], library=library).id == "quartet"
    rock_again = clip_from_array(render_midi(_piece(30, True, 43)), 32000, "gym.wav")
    assert choose_reference([rock_again], library=library).id == "riff"
    # a piece of another genre is the nearest one, but nothing to borrow from
    library.remove("riff")
    assert choose_reference([rock_again], library=library) is None
    assert choose_reference([strings_again], library=library).id == "quartet"
    library.add_manifest(manifest, progress=False)
    by_words = choose_reference([], "distorted guitar riff", library=library)
    assert by_words.id == "riff" and by_words.midi_path.endswith("riff.mid")
    assert choose_reference([], "", library=library) is None

    config = LoopConfig(max_iters=1, candidates=1, seconds=5.0, reference_midi=by_words.midi_path)
    result = create(TasteProfile(), ["rock"], config)
    generation = result.attempts[0].generation
    sidecar = json.loads(Path(generation.conditioning["sidecar"]).read_text())
    assert sidecar["conditioning"]["reference"]  # the sketch engine recorded what it borrowed
    assert "reference" in generation.conditioning
