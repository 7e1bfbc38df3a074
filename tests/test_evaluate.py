"""Generation metrics: Fréchet Audio Distance, label alignment, musical descriptors (real tagger, real librosa)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy import linalg

from tests.conftest import tone_mix
from tools.audio import load_clip
from tools.errors import ModelMissingError, TastemakerError, UnknownLabelError
from tools.evaluate import fad as F
from tools.evaluate.alignment import align, hamming, jaccard
from tools.evaluate.descriptors import describe_file
from tools.tagger import get_tagger

SR = 22050


def write_set(root: Path, name: str, seeds: list[int], noise: float) -> Path:
    """Tone mixtures (6.2 s: two 3 s patches each) blended with white noise in proportion `noise`."""
    folder = root / name
    folder.mkdir()
    for s in seeds:
        y = tone_mix(seconds=6.2, seed=s, level=0.3)
        n = np.random.default_rng(1000 + s).standard_normal(len(y)).astype(np.float32) * 0.1
        sf.write(str(folder / f"{s}.wav"), (1 - noise) * y + noise * n, SR)
    return folder


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    root = tmp_path_factory.mktemp("fad")
    return {
        "ref": write_set(root, "ref", [0, 1], 0.0),
        "same_kind": write_set(root, "same_kind", [10, 11], 0.0),
        "noisier": write_set(root, "noisier", [10, 11], 0.5),
        "noise": write_set(root, "noise", [10, 11], 1.0),
    }


def test_frechet_distance_matches_the_closed_form_for_diagonal_gaussians():
    rng = np.random.default_rng(0)
    mu_a, mu_b = rng.normal(size=8), rng.normal(size=8)
    var_a, var_b = rng.uniform(0.5, 2, 8), rng.uniform(0.5, 2, 8)
    expected = np.sum((mu_a - mu_b) ** 2) + np.sum(var_a + var_b - 2 * np.sqrt(var_a * var_b))
    assert F.frechet_distance(mu_a, np.diag(var_a), mu_b, np.diag(var_b)) == pytest.approx(expected, rel=1e-9)


@pytest.fixture(scope="module")
def embeddings(sets):
    return {name: F.embed_files(F.audio_files(folder)) for name, folder in sets.items()}


def test_fad_is_zero_for_identical_sets_and_grows_with_difference(embeddings):
    emb = embeddings
    same = F.fad_of_embeddings(emb["ref"], emb["ref"], files_a=2, files_b=2)
    assert same.fad == pytest.approx(0.0, abs=1e-6)
    assert (same.embeddings_a, same.dims) == (4, 200) and same.rank_deficient
    ladder = [F.fad_of_embeddings(emb["ref"], emb[name]).fad for name in ("same_kind", "noisier", "noise")]
    assert 0 < ladder[0] < ladder[1] < ladder[2]
    assert ladder[2] > 20 * ladder[0]


def test_fad_matches_a_direct_scipy_computation(sets):
    def patches(folder: Path) -> np.ndarray:
        tagger = get_tagger("msd")
        return np.concatenate([tagger.analyse(load_clip(f)).patch_embeddings for f in sorted(folder.glob("*.wav"))])

    a, b = patches(sets["ref"]), patches(sets["noisier"])
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # tr((S_a S_b)^1/2) from the eigenvalues of the product (real, >= 0 for PSD matrices): another route
    # than the matrix square root the implementation takes.
    eig = np.clip(np.real(linalg.eigvals(cov_a @ cov_b)), 0, None)
    direct = np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * np.sum(np.sqrt(eig))
    assert F.fad(sets["ref"], sets["noisier"]).fad == pytest.approx(direct, rel=1e-4)


def test_fad_errors_are_clear(sets, tmp_path):
    with pytest.raises(TastemakerError, match="not a folder"):
        F.fad(sets["ref"], tmp_path / "missing")
    with pytest.raises(TastemakerError, match="no audio files"):
        F.fad(sets["ref"], tmp_path)
    with pytest.raises(TastemakerError, match="at least 2 embeddings"):
        F.fad_of_embeddings(np.zeros((1, 200)), np.zeros((5, 200)))
    with pytest.raises(TastemakerError, match="Unknown embedder"):
        F.fad(sets["ref"], sets["ref"], embedder="vggish2")
    # CLAP is used only from local weights: offline it fails at once, saying what to do.
    with pytest.raises(ModelMissingError, match="not on this machine"):
        F.fad(sets["ref"], sets["ref"], embedder="clap")


def test_jaccard_and_hamming():
    assert jaccard(["jazz", "blues"], ["jazz"]) == 0.5
    assert jaccard(["jazz"], ["rock"]) == 0.0 and jaccard([], []) == 1.0
    vocab = ["jazz", "blues", "rock", "pop"]
    assert hamming(["jazz", "blues"], ["jazz", "rock"], vocab) == 0.5  # blues and rock disagree: 2 of 4
    assert hamming(["jazz"], ["jazz"], vocab) == 0.0


def test_alignment_follows_the_loop_rule():
    probs = {"jazz": 0.6, "blues": 0.3, "rock": 0.2, "pop": 0.01}
    hit = align(["Jazz"], probs)  # names are normalised
    assert hit.intended == ["jazz"] and hit.heard == ["jazz", "blues"] and hit.matched and hit.jaccard == 0.5
    miss = align(["rock", "pop"], probs)
    assert not miss.matched and miss.heard == ["jazz", "blues", "rock"] and miss.jaccard == 0.25
    assert miss.target_probability == pytest.approx(0.105)
    with pytest.raises(UnknownLabelError, match="not a genre"):
        align(["jazzz-fusion-core"], probs)


def test_descriptors_tell_a_steady_tonal_pulse_from_noise(tmp_path):
    t = np.arange(int(6 * SR)) / SR
    chord = sum(np.sin(2 * np.pi * f * t) for f in (261.63, 329.63, 392.0))  # C major
    rng = np.random.default_rng(0)
    for beat in np.arange(0, 6, 0.5):  # 120 BPM clicks
        i = int(beat * SR)
        chord[i:i + 400] += 2 * rng.standard_normal(400) * np.exp(-np.linspace(0, 5, 400))
    sf.write(str(tmp_path / "pulse.wav"), (0.15 * chord).astype(np.float32), SR)
    clicks = np.zeros_like(t)
    for when in np.sort(rng.uniform(0, 6, 30)):  # 30 onsets at random times
        i = int(when * SR)
        clicks[i:i + 400] += rng.standard_normal(len(clicks[i:i + 400])) * np.exp(-np.linspace(0, 5, 400))[
            : len(clicks[i:i + 400])]
    sf.write(str(tmp_path / "random.wav"), (0.3 * clicks + 0.02 * rng.standard_normal(len(t))).astype(np.float32), SR)
    pulse, scattered = describe_file(tmp_path / "pulse.wav"), describe_file(tmp_path / "random.wav")
    assert pulse.key == "C major" and pulse.key_clarity > 0.7 > scattered.key_clarity
    assert pulse.tempo_bpm == pytest.approx(120, rel=0.05)
    assert pulse.tempo_stability > 0.95 > scattered.tempo_stability
    assert 1.5 <= pulse.onset_density <= 2.5 and scattered.onset_density > pulse.onset_density


def test_clap_embedder_runs_from_a_local_model_folder(sets, tmp_path):
    """A tiny random CLAP saved to disk stands in for LAION-CLAP's weights (never fetched from a hub)."""
    from transformers import ClapAudioConfig, ClapConfig, ClapFeatureExtractor, ClapModel, ClapTextConfig

    audio = ClapAudioConfig(depths=[1, 1], num_attention_heads=[1, 2], patch_embeds_hidden_size=8, hidden_size=16,
                            window_size=4, spec_size=256, num_mel_bins=64, projection_dim=8, enable_fusion=False)
    text = ClapTextConfig(vocab_size=100, hidden_size=16, num_hidden_layers=1, num_attention_heads=1,
                          intermediate_size=16, projection_dim=8, max_position_embeddings=64)
    ClapModel(ClapConfig(text_config=text.to_dict(), audio_config=audio.to_dict(), projection_dim=8)).save_pretrained(
        tmp_path / "clap")
    ClapFeatureExtractor(feature_size=64, truncation="rand_trunc").save_pretrained(tmp_path / "clap")
    same = F.fad(sets["ref"], sets["ref"], embedder="clap", model=str(tmp_path / "clap"))
    assert same.embedder == "clap" and (same.embeddings_a, same.dims) == (2, 8) and same.fad == pytest.approx(0, abs=1e-6)
    assert F.fad(sets["ref"], sets["noise"], embedder="clap", model=str(tmp_path / "clap")).fad > 0
