"""MIDI to stereo audio with FluidSynth (offline): one stem per part, each from the SoundFont preset chosen for it.

pyfluidsynth is driven directly (pretty_midi's own renderer keeps only FluidSynth's left channel): every part is
played on its own into a float stereo buffer, with its MIDI pan (CC10), volume and expression (CC7, CC11) and pitch
bends, and left to ring for its release. FluidSynth's built-in reverb and chorus are off: space is added by the mix
(tools/mixing), from the reverb send each part carries (CC91).

The default SoundFont comes from Debian's fluid-soundfont-gm (FluidR3_GM.sf2) unless TASTEMAKER_SOUNDFONT names
another .sf2/.sf3 file; a part may name any other SoundFont preset (`Source`). A file that is not a SoundFont
FluidSynth can load is refused with a TastemakerError, never rendered half-silent.
"""

from __future__ import annotations

from ctypes import c_int, c_void_p
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tools.errors import ModelMissingError, TastemakerError
from tools.settings import get_settings

SOUNDFONT_CANDIDATES = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/soundfonts/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
)
RENDER_RATE = 44100
MONO_RATE = 32000  # render_midi's default (the library and the tests' reference pieces)
TAIL_S = 1.5  # how long a part rings after its last note-off (releases; no built-in reverb to wait for)
SYNTH_GAIN = 0.4
DRUM_BANK = 128
BLOCK = 64  # FluidSynth's internal block


@dataclass(frozen=True)
class Source:
    """Where a part's sound comes from: a SoundFont file and a preset (bank, program) in it."""

    soundfont: str
    bank: int
    program: int


def find_soundfont() -> Path:
    configured = get_settings().soundfont
    candidates = [configured] if configured else list(SOUNDFONT_CANDIDATES)
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    raise ModelMissingError(
        f"No General MIDI SoundFont found (looked for {', '.join(candidates)}). "
        "Run `make setup` (it installs Debian's fluid-soundfont-gm) or set TASTEMAKER_SOUNDFONT to an .sf2 file."
    )


def check_soundfont(path: str | Path) -> Path:
    """The path, if it holds a SoundFont (a RIFF 'sfbk' file: .sf2, or .sf3 with compressed samples)."""
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            head = fh.read(12)
    except OSError as exc:
        raise TastemakerError(f"SoundFont {p} cannot be read ({exc.strerror}). Set TASTEMAKER_SOUNDFONT to an "
                              ".sf2 file, or unset it to use the General MIDI one `make setup` installs.") from None
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"sfbk":
        raise TastemakerError(f"{p} is not a SoundFont (.sf2/.sf3) that FluidSynth can load. Set "
                              "TASTEMAKER_SOUNDFONT to an .sf2 file, or unset it to use the General MIDI one "
                              "`make setup` installs.")
    return p


def default_source(program: int, is_drum: bool) -> Source:
    """The General MIDI preset of the default SoundFont for a program (for drums: bank 128, the program is
    the kit)."""
    return Source(str(find_soundfont()), DRUM_BANK if is_drum else 0, program)


def import_fluidsynth_quietly() -> None:
    """Import pyfluidsynth (and so pretty_midi's use of it) without its chatter: with `CI` set it prints where it
    found the library on stdout, which would break a command's `--json` output (and on stderr, its one clear line)."""
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(ImportError, OSError):
        import fluidsynth  # noqa: F401


class _Synth:
    """A FluidSynth instance for one piece (a fresh one each time: a synth that played before leaves traces, and
    the same notes must give the same samples). SoundFonts load their samples on first use (dynamic sample
    loading, ~0.05 s a piece), and every preset gets a channel of its own."""

    def __init__(self, sample_rate: int):
        try:
            import fluidsynth
        except ImportError as exc:
            raise ModelMissingError(
                f"FluidSynth is not available ({exc}). Run `make setup` (Debian package fluidsynth).") from None
        self._fl = fluidsynth
        self.synth = fluidsynth.Synth(gain=SYNTH_GAIN, samplerate=float(sample_rate), channels=256, **{
            "synth.reverb.active": 0, "synth.chorus.active": 0, "synth.dynamic-sample-loading": 1,
            "synth.polyphony": 512})
        self.write_float = fluidsynth.cfunc(
            "fluid_synth_write_float", c_int, ("synth", c_void_p, 1), ("len", c_int, 1), ("lout", c_void_p, 1),
            ("loff", c_int, 1), ("lincr", c_int, 1), ("rout", c_void_p, 1), ("roff", c_int, 1), ("rincr", c_int, 1))
        self.fonts: dict[str, int] = {}
        self.channels: dict[Source, int] = {}

    def channel(self, source: Source) -> int:
        if source in self.channels:
            return self.channels[source]
        if source.soundfont not in self.fonts:
            sfid = self.synth.sfload(str(check_soundfont(source.soundfont)))
            if sfid < 0:
                raise TastemakerError(f"FluidSynth could not load the SoundFont {source.soundfont}. Set "
                                      "TASTEMAKER_SOUNDFONT to another .sf2 file, or unset it.")
            self.fonts[source.soundfont] = sfid
        chan = len(self.channels)
        if chan >= 256:
            raise TastemakerError("A piece can use at most 256 different instruments.")
        sfid = self.fonts[source.soundfont]
        # a SoundFont without this preset plays the bank's first one (a kit it lacks: its standard kit)
        if self.synth.program_select(chan, sfid, source.bank, source.program) != 0 and \
                self.synth.program_select(chan, sfid, source.bank, 0) != 0:
            raise TastemakerError(f"{source.soundfont} has no preset in bank {source.bank} (program "
                                  f"{source.program}); use a General MIDI SoundFont.")
        self.channels[source] = chan
        return chan

    def play(self, events: list[tuple[int, int, int, int]], chan: int, frames: int) -> np.ndarray:
        """Events (sample, kind, a, b) on one channel -> (2, frames) float32, left and right. kind 0 note off,
        1 note on, 2 control change, 3 pitch bend."""
        # FluidSynth works in blocks of 64 samples and starts events on a block: render whole blocks so that every
        # part starts on one and the same notes always sound the same
        out = np.zeros((2, -(-frames // BLOCK) * BLOCK), dtype=np.float32)
        s = self.synth
        # a channel used before starts from the defaults (its pedal up: a part that ended with it down would hold
        # every note of the next part played on the same preset)
        for c, v in ((7, 100), (10, 64), (11, 127), (64, 0)):
            s.cc(chan, c, v)
        s.pitch_bend(chan, 0)
        done = 0
        left, right = out[0].ctypes.data, out[1].ctypes.data
        for when, kind, a, b in events + [(out.shape[1], -1, 0, 0)]:
            when = min(max(when, done), out.shape[1])
            if when > done:
                self.write_float(s.synth, when - done, left, done, 1, right, done, 1)
                done = when
            if done == out.shape[1]:
                break
            if kind == 0:
                s.noteoff(chan, a)
            elif kind == 1:
                s.noteon(chan, a, b)
            elif kind == 2:
                s.cc(chan, a, b)
            elif kind == 3:
                s.pitch_bend(chan, a)
        s.all_sounds_off(chan)
        return out[:, :frames]


def _events(instrument, sample_rate: int) -> list[tuple[int, int, int, int]]:
    """The instrument's notes, controllers and bends as sorted (sample, kind, a, b); offs before ons at a tie."""
    ev = []
    for n in instrument.notes:
        ev.append((int(round(n.start * sample_rate)), 1, int(n.pitch), int(n.velocity)))
        ev.append((int(round(n.end * sample_rate)), 0, int(n.pitch), 0))
    ev += [(int(round(c.time * sample_rate)), 2, int(c.number), int(c.value)) for c in instrument.control_changes]
    ev += [(int(round(b.time * sample_rate)), 3, int(b.pitch), 0) for b in instrument.pitch_bends]
    ev.sort(key=lambda e: (e[0], 0 if e[1] == 2 else 1 if e[1] == 0 else 2, e[2]))
    return ev


def render_parts(pm, sample_rate: int = RENDER_RATE, sources: list[Source | None] | None = None,
                 seconds: float | None = None, centred: bool = False) -> list[np.ndarray]:
    """Every instrument of a PrettyMIDI as a (frames, 2) float32 stereo stem (a view of its (2, frames) left and
    right), all `seconds` long (default: the piece plus TAIL_S). `sources`: the preset for each instrument (None:
    the default SoundFont's General MIDI one). `centred`: every part in the middle, its MIDI pan left for the mix
    to apply after processing it (a part from mono samples then has identical channels)."""
    length = pm.get_end_time() + TAIL_S if seconds is None else seconds
    frames = int(length * sample_rate)
    sources = sources or [None] * len(pm.instruments)
    synth = _Synth(sample_rate)
    try:
        stems = []
        for inst, src in zip(pm.instruments, sources):
            events = _events(inst, sample_rate)
            if centred:
                events = [e for e in events if not (e[1] == 2 and e[2] == 10)]
            chan = synth.channel(src or default_source(inst.program, inst.is_drum))
            stems.append(synth.play(events, chan, frames).T)
        return stems
    finally:
        synth.synth.delete()


def midi_pan(instrument) -> float:
    """An instrument's first MIDI pan (CC10) as -1 (left) .. 1 (right); 0 when it has none."""
    value = next((c.value for c in sorted(instrument.control_changes, key=lambda c: c.time) if c.number == 10), 64)
    return float(np.clip((value - 64) / 63, -1.0, 1.0))


def render_midi(midi, sample_rate: int = MONO_RATE) -> np.ndarray:
    """A pretty_midi.PrettyMIDI (or a .mid path) as mono float32 (both channels averaged), peak-normalised to
    -1 dBFS, with the default General MIDI SoundFont."""
    import pretty_midi

    pm = midi if isinstance(midi, pretty_midi.PrettyMIDI) else pretty_midi.PrettyMIDI(str(midi))
    stems = render_parts(pm, sample_rate) if pm.instruments else []
    audio = np.sum(stems, axis=0).mean(axis=1) if stems else np.zeros(int(sample_rate * TAIL_S), np.float32)
    audio = np.asarray(audio, dtype=np.float32)
    peak = float(np.abs(audio).max()) if audio.size else 0.0
    if peak > 0:
        audio *= 0.89 / peak
    return audio
