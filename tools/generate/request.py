"""What a caller asks the generators for: one GenerationRequest, checked up front."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tools.contracts import Style
from tools.errors import TastemakerError

ENGINES = ("auto", "musicgen", "sketch")
MAX_SECONDS = 600.0
MAX_CANDIDATES = 8

# progress(fraction 0..1, what is happening now)
Progress = Callable[[float, str], None]


@dataclass
class GenerationRequest:
    """Everything one generation needs.

    prompt: free text (parsed into a Style when `style` is None);
    like: an audio file to continue (MusicGen) or to borrow tempo, key and chroma from (sketch);
    melody: an audio file whose melody conditions MusicGen-Melody (the sketch engine treats it like `like`);
    reference_midi: a MIDI file lending motifs, progression, tempo and key (sketch);
    output: where to write the (first) WAV; default under <home>/generations.
    """

    prompt: str = ""
    style: Style | None = None
    seconds: float = 15.0
    seed: int | None = None
    candidates: int = 1
    engine: str = "auto"
    like: str | None = None
    melody: str | None = None
    reference_midi: str | None = None
    output: str | None = None
    guidance_scale: float = 3.0
    model: str | None = None
    themes: list[str] = field(default_factory=list)

    def validate(self) -> None:
        """Raise a TastemakerError a user can act on for anything out of range."""
        if self.engine not in ENGINES:
            raise TastemakerError(f"Unknown engine '{self.engine}'. Choose one of: {', '.join(ENGINES)}.")
        if not (0.5 <= float(self.seconds) <= MAX_SECONDS):
            raise TastemakerError(
                f"Duration {self.seconds:g} s is out of range; ask for 0.5 to {MAX_SECONDS:g} seconds."
            )
        if not (1 <= int(self.candidates) <= MAX_CANDIDATES):
            raise TastemakerError(f"Candidates must be 1 to {MAX_CANDIDATES} (got {self.candidates}).")
        if self.seed is not None and not (0 <= int(self.seed) < 2**32):
            raise TastemakerError(f"Seed must be a whole number from 0 to {2**32 - 1} (got {self.seed}).")
        if not (1.0 <= float(self.guidance_scale) <= 20.0):
            raise TastemakerError(f"Guidance scale must be 1 to 20 (got {self.guidance_scale:g}).")
        for label, path in (("--like", self.like), ("--melody", self.melody), ("reference MIDI", self.reference_midi)):
            if path and not Path(path).is_file():
                raise TastemakerError(f"{label} file {path} does not exist. Check the path and try again.")
        if self.reference_midi and Path(self.reference_midi).suffix.lower() not in (".mid", ".midi"):
            raise TastemakerError(f"{self.reference_midi} is not a MIDI file (.mid or .midi).")
        if self.output and Path(self.output).suffix.lower() != ".wav":
            raise TastemakerError(f"Output {self.output} must end in .wav.")
        if not self.prompt.strip() and self.style is None and not (self.like or self.melody or self.reference_midi):
            raise TastemakerError(
                "Say what to make: a description (\"calm piano for a rainy night\"), a style, or a reference file."
            )
