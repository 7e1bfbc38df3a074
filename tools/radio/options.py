"""How a station behaves: one frozen options object, changed with dataclasses.replace."""

from __future__ import annotations

from dataclasses import dataclass

from tools.errors import TastemakerError

SOURCES = ("library", "generated")
ENGINES = ("sketch", "auto", "musicgen")


@dataclass(frozen=True)
class StationOptions:
    """adventurous: 0 stays on the profile's strongest sounds, 1 roams their neighbours (exploration vs
    exploitation); library_share: the share of library tracks among the pieces (0 = all generated, 1 = all
    library when the library has tracks that fit); no_repeat: no track plays twice within this many pieces;
    prefetch: pieces kept ready ahead of the one playing; crossfade_seconds: overlap between neighbours."""

    adventurous: float = 0.3
    library_share: float = 0.25
    piece_seconds: float = 30.0
    no_repeat: int = 25
    prefetch: int = 2
    crossfade_seconds: float = 3.0
    engine: str = "sketch"  # the offline engine keeps far ahead of playback; MusicGen on a CPU would not

    def validate(self) -> "StationOptions":
        """The options themselves, or a TastemakerError a person can act on."""
        if not 0.0 <= float(self.adventurous) <= 1.0:
            raise TastemakerError(f"Adventurousness must be 0 to 1 (got {self.adventurous:g}).")
        if not 0.0 <= float(self.library_share) <= 1.0:
            raise TastemakerError(f"The library share must be 0 to 1 (got {self.library_share:g}).")
        if not 4.0 <= float(self.piece_seconds) <= 300.0:
            raise TastemakerError(f"Pieces must last 4 to 300 seconds (got {self.piece_seconds:g}).")
        if not 0 <= int(self.no_repeat) <= 1000:
            raise TastemakerError(f"The no-repeat window must be 0 to 1000 pieces (got {self.no_repeat}).")
        if not 1 <= int(self.prefetch) <= 5:
            raise TastemakerError(f"Prefetch must be 1 to 5 pieces (got {self.prefetch}).")
        if not 0.0 <= float(self.crossfade_seconds) <= min(10.0, self.piece_seconds / 3):
            raise TastemakerError(
                f"The crossfade must be 0 to {min(10.0, self.piece_seconds / 3):g} s for "
                f"{self.piece_seconds:g} s pieces (got {self.crossfade_seconds:g})."
            )
        if self.engine not in ENGINES:
            raise TastemakerError(f"Unknown engine '{self.engine}'. Choose one of: {', '.join(ENGINES)}.")
        return self
