"""MusicGen through transformers: text to music, audio continuation, melody conditioning, long-form windows.

The model is `TASTEMAKER_MUSICGEN_MODEL` (a hub id such as facebook/musicgen-small, -medium, -large, -melody,
-stereo-*, or a local folder). Hubs are off unless TASTEMAKER_ALLOW_DOWNLOADS=1, so missing weights fail at
once with a ModelMissingError; `auto` then uses the sketch engine.

Facts this module relies on (see the team's stack notes):
- N seconds are frame_rate * N + (codebooks - 1) new tokens (the delay pattern loses the extra ones);
- a window is at most ~30 s including any audio prompt, so longer pieces continue the last seconds of
  the previous window and crossfade the seam;
- greedy decoding collapses, so we always sample, with a recorded seed;
- audio prompts must be at the model's rate: we resample them (librosa, soxr_hq) and encode them with the
  model's own EnCodec into the decoder prompt ourselves (MusicgenProcessor fails in transformers 5.23.0);
- melody conditioning is a one-hot chromagram (librosa chroma_stft, argmax per frame), not torchaudio.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import librosa
import numpy as np
import torch

from tools.errors import ModelMissingError, TastemakerError
from tools.generate.request import Progress
from tools.settings import get_settings

MAX_WINDOW_S = 30.0  # what one call can make, prompt included
CHROMA_N_FFT, CHROMA_HOP = 16384, 4096  # MusicGen-Melody's chroma frames (at 32 kHz, ~7.8 frames/s)
SKETCH_HINT = "Meanwhile the sketch engine makes music offline (--engine sketch, or --engine auto)."


def pick_device() -> tuple[torch.device, torch.dtype]:
    """CUDA, then Apple MPS, then CPU; half precision only on CUDA (MPS and CPU are slower or wrong in fp16)."""
    if torch.cuda.is_available():
        return torch.device("cuda"), torch.float16
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps"), torch.float32
    return torch.device("cpu"), torch.float32


def _how_to_get(name: str) -> str:
    return (
        f"MusicGen weights '{name}' are not on this machine. To get them: on a machine with internet run "
        f"`huggingface-cli download {name}` (the HF cache is then used offline), or set "
        "TASTEMAKER_ALLOW_DOWNLOADS=1 to let Tastemaker download them, or point TASTEMAKER_MUSICGEN_MODEL at a "
        f"local folder holding a saved MusicGen model. {SKETCH_HINT}"
    )


def weights_available(name: str | None = None) -> bool:
    """Whether `name` (default: settings) can be loaded without a download: a local folder or the HF cache."""
    name = name or get_settings().musicgen_model
    p = Path(name).expanduser()
    if p.is_dir():
        return (p / "config.json").is_file()
    if get_settings().allow_downloads:
        return True
    try:
        from huggingface_hub import try_to_load_from_cache

        config = try_to_load_from_cache(name, "config.json")
        if not isinstance(config, str):
            return False
        return any(isinstance(try_to_load_from_cache(name, f), str)
                   for f in ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin"))
    except (ImportError, OSError, ValueError):  # no hub client, unreadable cache, not a repo id
        return False


class _ProgressLogits:
    """A logits processor that only reports how many tokens are done (transformers calls it every step)."""

    def __init__(self, total: int, progress: Progress, start: float, span: float, what: str):
        self.total, self.progress, self.start, self.span, self.what = max(1, total), progress, start, span, what
        self.done = 0

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        self.done += 1
        if self.done % 10 == 0 or self.done == self.total:
            self.progress(self.start + self.span * min(1.0, self.done / self.total), self.what)
        return scores


@dataclass
class MusicGenOutput:
    audio: np.ndarray  # (candidates, channels, samples) float32 at sample_rate
    sample_rate: int
    prompt_seconds: float
    windows: int
    seeds: list[int]  # the torch seed of each window


class MusicGen:
    """One loaded MusicGen (or MusicGen-Melody) model with its tokenizer, ready to generate."""

    def __init__(self, model, tokenizer, name: str, device: torch.device | None = None,
                 dtype: torch.dtype | None = None):
        auto_device, auto_dtype = pick_device()
        self.device = device or auto_device
        self.dtype = dtype or auto_dtype
        self.model = model.to(self.device, dtype=self.dtype).eval()
        self.tokenizer = tokenizer
        self.name = name
        config = model.config
        self.is_melody = config.model_type == "musicgen_melody"
        audio = config.audio_encoder
        self.sample_rate = int(audio.sampling_rate)
        self.frame_rate = float(audio.sampling_rate / np.prod(audio.upsampling_ratios))
        self.channels = int(getattr(audio, "audio_channels", 1))
        codebooks = int(config.decoder.num_codebooks)
        self.delay = (codebooks // 2 if self.channels == 2 else codebooks) - 1

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, name: str | None = None) -> MusicGen:
        name = name or get_settings().musicgen_model
        if not weights_available(name):
            raise ModelMissingError(_how_to_get(name))
        from transformers import (
            AutoConfig,
            AutoTokenizer,
            MusicgenForConditionalGeneration,
            MusicgenMelodyForConditionalGeneration,
        )

        device, dtype = pick_device()
        local_only = not get_settings().allow_downloads
        try:
            config = AutoConfig.from_pretrained(name, local_files_only=local_only)
            model_cls = (MusicgenMelodyForConditionalGeneration if config.model_type == "musicgen_melody"
                         else MusicgenForConditionalGeneration)
            model = model_cls.from_pretrained(name, dtype=dtype, local_files_only=local_only)
            tokenizer = AutoTokenizer.from_pretrained(name, local_files_only=local_only)
        except (OSError, ValueError) as exc:
            raise ModelMissingError(f"{_how_to_get(name)} (loading failed: {str(exc).splitlines()[0]})") from None
        if config.model_type not in ("musicgen", "musicgen_melody"):
            raise TastemakerError(f"{name} is a {config.model_type} model, not MusicGen. "
                                  "Set TASTEMAKER_MUSICGEN_MODEL to a MusicGen model.")
        return cls(model, tokenizer, name, device, dtype)

    # ------------------------------------------------------------------ pieces
    def tokens_for(self, seconds: float) -> int:
        """New tokens for `seconds` of audio: frame_rate * seconds + what the codebook delay pattern loses."""
        return round(self.frame_rate * seconds) + self.delay

    def prepare_audio(self, samples: np.ndarray, sample_rate: int) -> np.ndarray:
        """Mono float32 at the model's rate (resampled by us: MusicGen does not resample)."""
        y = np.asarray(samples, dtype=np.float32)
        if y.ndim == 2:
            y = y.mean(axis=0)
        if sample_rate != self.sample_rate:
            y = librosa.resample(y, orig_sr=sample_rate, target_sr=self.sample_rate, res_type="soxr_hq")
        return y.astype(np.float32)

    def melody_chroma(self, samples: np.ndarray) -> np.ndarray:
        """(frames, 12) one-hot chroma of the dominant pitch class per frame, as MusicGen-Melody was trained on."""
        chroma = librosa.feature.chroma_stft(y=samples, sr=self.sample_rate, n_fft=CHROMA_N_FFT, hop_length=CHROMA_HOP)
        one_hot = np.zeros((chroma.shape[1], 12), dtype=np.float32)
        one_hot[np.arange(chroma.shape[1]), chroma.argmax(axis=0)] = 1.0
        return one_hot

    def _encode_prompt(self, audio: np.ndarray, batch: int) -> torch.Tensor:
        """Audio prompt(s), (samples,) or (batch, samples) -> decoder prompt codes (batch * codebooks, frames),
        as MusicGen's own generate() makes them from input_values (stereo models interleave the channels)."""
        values = torch.from_numpy(np.atleast_2d(audio)).to(self.device, self.dtype)[:, None, :]
        if values.shape[0] == 1 and batch > 1:
            values = values.repeat(batch, 1, 1)
        with torch.inference_mode():
            if self.channels == 2:
                left = self.model.audio_encoder.encode(values).audio_codes[0]
                right = left.clone()  # a mono prompt is the same on both sides
                codes = torch.stack([left, right], dim=2).reshape(left.shape[0], -1, left.shape[-1])
            else:
                codes = self.model.audio_encoder.encode(values).audio_codes[0]  # (batch, codebooks, frames)
        return codes.reshape(codes.shape[0] * codes.shape[1], codes.shape[2])

    def _call(self, texts: list[str], seconds: float, seed: int, guidance_scale: float,
              prompt: np.ndarray | None, chroma: np.ndarray | None, progress: Progress | None,
              span: tuple[float, float]) -> np.ndarray:
        """One generate() call for a batch of texts: (batch, channels, samples) including the prompt's audio."""
        inputs = self.tokenizer(texts, padding=True, return_tensors="pt")
        kwargs = {"input_ids": inputs["input_ids"].to(self.device),
                  "attention_mask": inputs["attention_mask"].to(self.device)}
        new_tokens = self.tokens_for(seconds)
        if prompt is not None:
            kwargs["decoder_input_ids"] = self._encode_prompt(prompt, len(texts))
        if chroma is not None:
            if not self.is_melody:
                raise TastemakerError(
                    f"{self.name} cannot follow a melody; melody conditioning needs a melody model "
                    "(TASTEMAKER_MUSICGEN_MODEL=facebook/musicgen-melody).")
            kwargs["input_features"] = torch.from_numpy(chroma).to(self.device, self.dtype)[None].repeat(
                len(texts), 1, 1)
        if progress is not None:
            from transformers import LogitsProcessorList

            kwargs["logits_processor"] = LogitsProcessorList(
                [_ProgressLogits(new_tokens, progress, span[0], span[1], "composing with MusicGen")])
        torch.manual_seed(seed)
        with torch.inference_mode():
            out = self.model.generate(**kwargs, do_sample=True, guidance_scale=guidance_scale,
                                      max_new_tokens=new_tokens)
        audio = out.float().cpu().numpy()
        prompt_samples = 0 if prompt is None else np.atleast_2d(prompt).shape[-1]
        want = prompt_samples + round(seconds * self.sample_rate)
        return audio[..., :want]

    # ------------------------------------------------------------------ the public call
    def generate(self, text: str, seconds: float, seed: int, candidates: int = 1, guidance_scale: float = 3.0,
                 prompt: np.ndarray | None = None, melody: np.ndarray | None = None,
                 progress: Progress | None = None, window_s: float = MAX_WINDOW_S, context_s: float = 10.0,
                 crossfade_s: float = 1.0) -> MusicGenOutput:
        """`candidates` pieces of `seconds` new audio in one batched call per window.

        prompt: audio (at the model's rate) to continue; the result starts with it.
        melody: audio (at the model's rate) whose melody MusicGen-Melody follows.
        Longer than one window: each next window continues the last `context_s` seconds of the previous one
        and the seam is crossfaded over `crossfade_s`.
        """
        if seconds <= 0:
            raise TastemakerError("Ask for more than 0 seconds of music.")
        if not 0 < crossfade_s <= context_s < window_s:
            raise ValueError("need 0 < crossfade <= context < window")
        texts = [text] * candidates
        if prompt is not None and len(prompt) / self.sample_rate > window_s - 1.0:
            prompt = prompt[-int((window_s - 1.0) / 2 * self.sample_rate):]  # leave room to continue
        prompt_s = 0.0 if prompt is None else len(prompt) / self.sample_rate
        chroma_full = self.melody_chroma(melody) if melody is not None else None
        chroma_rate = self.sample_rate / CHROMA_HOP

        def chroma_for(start_s: float, end_s: float) -> np.ndarray | None:
            if chroma_full is None:
                return None
            a = int(start_s * chroma_rate) % max(1, len(chroma_full))
            b = max(a + 1, int(end_s * chroma_rate))
            return np.resize(np.roll(chroma_full, -a, axis=0), (b - a, 12)) if b - a > 0 else chroma_full

        first = min(seconds, window_s - prompt_s)
        # windows after the first each add (window - context) new seconds
        step_s = window_s - context_s
        remaining_after_first = max(0.0, seconds - first)
        windows = 1 + int(np.ceil(remaining_after_first / step_s - 1e-9))
        seeds = [seed + i for i in range(windows)]
        spans = [(i / windows, 1 / windows) for i in range(windows)]
        audio = self._call(texts, first, seeds[0], guidance_scale, prompt, chroma_for(0, first), progress, spans[0])
        made = first
        for w in range(1, windows):
            ctx = int(context_s * self.sample_rate)
            context = audio[:, :, -ctx:].mean(axis=1)  # all candidates share one prompt length
            more = min(step_s, seconds - made)
            # each candidate continues its own audio, all in one batched call
            new = self._call(texts, more, seeds[w], guidance_scale, context,
                             chroma_for(prompt_s + made - context_s, prompt_s + made + more), progress, spans[w])
            xf = int(crossfade_s * self.sample_rate)
            fade = np.linspace(0.0, 1.0, xf, dtype=np.float32)
            # new[..., :ctx] re-synthesises the context: blend its last `xf` samples with the original tail
            seam = audio[..., -xf:] * (1 - fade) + new[..., ctx - xf: ctx] * fade
            audio = np.concatenate([audio[..., :-xf], seam, new[..., ctx:]], axis=-1)
            made += more
        if progress:
            progress(1.0, "MusicGen done")
        return MusicGenOutput(audio=audio.astype(np.float32), sample_rate=self.sample_rate, prompt_seconds=prompt_s,
                              windows=windows, seeds=seeds)


_cache: dict[str, MusicGen] = {}
_lock = threading.Lock()


def get_musicgen(name: str | None = None) -> MusicGen:
    """The process-wide MusicGen for a model id or folder (loads once)."""
    name = name or get_settings().musicgen_model
    with _lock:
        if name not in _cache:
            _cache[name] = MusicGen.load(name)
        return _cache[name]


def generate_musicgen(request, style, seeds: list[int], progress: Progress | None = None) -> list:
    """The MusicGen engine behind tools.generate.generate(): files, sidecars and Generation records."""
    from tools.audio import load_clip, write_wav
    from tools.contracts import Generation
    from tools.generate.output import output_paths, write_json
    from tools.language import describe

    mg = get_musicgen(request.model)
    text = request.prompt.strip() or describe(style, request.themes)
    conditioning: dict = {"guidance_scale": request.guidance_scale}
    prompt = melody = None
    if request.like:
        clip = load_clip(request.like, mg.sample_rate, max_seconds=request_prompt_seconds(request))
        prompt = clip.samples
        conditioning["continues"] = request.like
    if request.melody:
        melody = load_clip(request.melody, mg.sample_rate, max_seconds=MAX_WINDOW_S).samples
        conditioning["melody"] = request.melody
    if progress:
        progress(0.0, f"MusicGen ({mg.name}) on {mg.device.type}")
    out = mg.generate(text, request.seconds, seeds[0], candidates=len(seeds), guidance_scale=request.guidance_scale,
                      prompt=prompt, melody=melody, progress=progress)
    conditioning.update({"prompt_seconds": round(out.prompt_seconds, 3), "windows": out.windows,
                         "window_seeds": out.seeds, "batch_size": len(seeds), "device": mg.device.type})
    results = []
    for i, path in enumerate(output_paths(request.output, text, "musicgen", [seeds[0]] * len(seeds))):
        audio = out.audio[i]
        samples = audio[0] if audio.shape[0] == 1 else audio.T
        write_wav(path, samples, out.sample_rate)
        cond = {**conditioning, "batch_index": i}
        write_json(path.with_suffix(".json"), {"engine": "musicgen", "model": mg.name, "prompt": text,
                                               "seed": seeds[0], "conditioning": cond})
        results.append(Generation(audio_path=str(path), sample_rate=out.sample_rate, engine="musicgen", model=mg.name,
                                  prompt=text, seed=seeds[0], duration=audio.shape[-1] / out.sample_rate,
                                  conditioning=cond, style=style))
    return results


def request_prompt_seconds(request) -> float:
    """How much of a --like file MusicGen continues: up to 10 s, and never more than a window allows."""
    return min(10.0, MAX_WINDOW_S - 1.0 - min(request.seconds, MAX_WINDOW_S / 2))
