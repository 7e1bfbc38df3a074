"""A real recording, not a synthetic one: a death-metal song must come out metal.

The fixture is an excerpt of a commercially-styled metal recording (see fixtures/recordings/README.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from agent.cli import main
from tools.audio import load_clip
from tools.tagger import tag_full
from tools.taste import build_profile, explain

METAL = Path(__file__).parent / "fixtures" / "recordings" / "muldjord-chaos-god-excerpt.ogg"


def test_a_metal_recording_is_tagged_metal(capsys):
    assert main(["tag", str(METAL), "--model", "all", "--json"]) == 0
    results = {r["model"]: r for r in json.loads(capsys.readouterr().out)["results"]}
    msd, mtt = results["msd"], results["mtt"]
    assert max(msd["tags"], key=msd["tags"].get) == "metal" and msd["tags"]["metal"] > 0.5
    assert "metal" in sorted(mtt["genres"], key=mtt["genres"].get, reverse=True)[:2]  # MTT says rock, then metal
    assert mtt["tags"]["metal"] > 0.3 and mtt["tags"]["classical"] < 0.05


def test_its_unified_genres_and_profile_say_metal():
    clip = load_clip(METAL)
    genres = tag_full(clip).genres.probabilities
    ranked = sorted(genres, key=genres.get, reverse=True)
    assert ranked[0] == "metal" and genres["metal"] > 0.5
    assert genres.get("classical", 0.0) < 0.05 and genres.get("jazz", 0.0) < 0.05
    profile = build_profile([clip])
    assert next(iter(profile.genres)) == "metal" and profile.energy >= 0.65
    assert explain(profile).startswith("metal 0.8") and "energetic" in explain(profile)
