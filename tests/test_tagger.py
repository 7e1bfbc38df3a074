"""tools.tagger: the PyTorch musicnn port matches the original TF implementation and tags sensibly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pretty_midi
import pytest
import torch

from tools.audio import clip_from_array, load_clip
from tools.errors import ModelMissingError
from tools.genres import to_unified
from tools.render import render_midi
from tools.tagger import checkpoint_dir, embed, get_tagger, tag, tag_full
from tools.tagger.checkpoint import read_checkpoint

REF = Path(__file__).parent / "fixtures" / "musicnn_reference"
MODELS = {"msd": "MSD_musicnn", "mtt": "MTT_musicnn"}


def test_checkpoint_reader_finds_every_variable():
    tensors = read_checkpoint(str(checkpoint_dir("msd")) + "/")
    weights = {k: v for k, v in tensors.items() if "Adam" not in k and "_power" not in k}
    assert len(weights) == 64
    assert sum(v.size for v in weights.values()) == 792_079
    kernel = next(v for k, v in weights.items() if k.endswith("conv2d/kernel"))
    assert kernel.shape == (7, 38, 1, 204)


@pytest.mark.parametrize("model", ["msd", "mtt"])
def test_port_matches_original_on_same_log_mel(model):
    """Fed the original's own log-mel patches, the port reproduces its taggram to 1e-4."""
    batch = np.load(REF / f"{MODELS[model]}_batch.npy")
    reference = np.load(REF / f"{MODELS[model]}_taggram.npy")
    probs, _ = get_tagger(model).run(batch)
    assert probs.shape == reference.shape == (4, 50)
    assert np.abs(probs - reference).max() < 1e-4


@pytest.mark.parametrize("model", ["msd", "mtt"])
def test_port_matches_original_end_to_end(model):
    """From the audio file: our reader + float32 log-mel + port vs the original, to 1e-3."""
    reference = np.load(REF / f"{MODELS[model]}_taggram.npy")
    tags = tag(load_clip(REF / "clip.wav"), model)
    assert tags.taggram.shape == reference.shape
    assert np.abs(tags.taggram - reference).max() < 1e-3
    np.testing.assert_allclose(list(tags.probabilities.values()), reference.mean(axis=0), atol=1e-3)


def test_all_patches_in_one_batch_equal_one_at_a_time():
    tagger = get_tagger("msd")
    batch = np.load(REF / "MSD_musicnn_batch.npy")
    together, emb_together = tagger.run(batch)
    alone = np.concatenate([tagger.run(batch[i : i + 1])[0] for i in range(len(batch))])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    assert emb_together.shape == (4, 200)


def test_loud_pure_tone_gives_finite_tags():
    """The original casts to float16 and returns NaN here; the port computes in float32."""
    t = np.arange(16000 * 4) / 16000
    tone = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    tags = tag(clip_from_array(tone, 16000), "mtt")
    assert np.isfinite(tags.taggram).all()
    assert all(0.0 <= p <= 1.0 for p in tags.probabilities.values())


def test_short_clip_is_looped_to_one_patch():
    clip = load_clip(REF / "clip.wav", max_seconds=1.5)
    tags = tag(clip, "msd")
    assert tags.taggram.shape == (1, 50)


def test_embedding_is_fixed_size_and_separates_different_music():
    quartet = clip_from_array(render_midi(_chords(48, 12.0)), 32000)
    guitar = clip_from_array(render_midi(_chords(30, 12.0, drums=True)), 32000)
    quartet_again = clip_from_array(render_midi(_chords(48, 12.0, shift=2)), 32000)
    a, b, c = embed(quartet), embed(guitar), embed(quartet_again)
    assert a.shape == b.shape == (200,)

    def cos(x, y):
        return float(x @ y / np.linalg.norm(x) / np.linalg.norm(y))

    assert cos(a, c) > cos(a, b)


def test_strings_are_tagged_classical_and_strings():
    full = tag_full(clip_from_array(render_midi(_chords(48, 12.0)), 32000))
    assert "classical" in [g for g, _ in full.genres.top(2)]
    assert {"strings", "violin"} & {i for i, _ in full.instruments.top(2)}


def test_unified_genre_is_max_over_sources_then_mean_over_models():
    msd = {"rock": 0.2, "hard rock": 0.6, "metal": 0.1, "heavy metal": 0.3}
    mtt = {"rock": 0.4, "metal": 0.5}
    unified = to_unified({"msd": msd, "mtt": mtt})["genres"]
    assert unified["rock"] == pytest.approx((0.6 + 0.4) / 2)
    assert unified["metal"] == pytest.approx((0.3 + 0.5) / 2)
    only_msd = to_unified({"msd": msd})["genres"]
    assert only_msd["rock"] == pytest.approx(0.6)


def test_missing_weights_fail_fast_with_advice(monkeypatch, tmp_path):
    monkeypatch.setenv("TASTEMAKER_MODELS_DIR", str(tmp_path))
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(ModelMissingError, match="make setup"):
        checkpoint_dir("mtt")


def _chords(program: int, seconds: float, drums: bool = False, shift: int = 0) -> pretty_midi.PrettyMIDI:
    pm = pretty_midi.PrettyMIDI(initial_tempo=100)
    inst = pretty_midi.Instrument(program)
    progression = [[48, 55, 60, 64], [45, 52, 57, 60], [41, 48, 53, 57], [43, 50, 55, 59]]
    t = 0.0
    while t < seconds:
        for chord in progression:
            for p in chord:
                inst.notes.append(pretty_midi.Note(85, p + 12 + shift, t, t + 1.0))
            t += 1.0
    pm.instruments.append(inst)
    if drums:
        kit = pretty_midi.Instrument(0, is_drum=True)
        for i in range(int(seconds * 4)):
            kit.notes.append(pretty_midi.Note(110, 36 if i % 2 == 0 else 38, i * 0.25, i * 0.25 + 0.1))
            kit.notes.append(pretty_midi.Note(90, 42, i * 0.25, i * 0.25 + 0.05))
        pm.instruments.append(kit)
    return pm


def test_torch_runs_in_float32():
    assert get_tagger("msd").net.output.weight.dtype == torch.float32
