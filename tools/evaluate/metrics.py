"""Metrics of a folder of generated audio against a folder of reference audio.

FAD between the sets (tools.evaluate.fad), musical descriptors of every file
(tools.evaluate.descriptors) with their means per set, and, when intended
genres are known, label alignment per generated file (tools.evaluate.alignment).
Intended genres come from a targets file (YAML or JSON: {file name: [genres]},
with "*" for every file) or else from the sidecar .json the generators write
beside each piece (its style's genres).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from tools.errors import TastemakerError
from tools.evaluate.fad import audio_files, embed_files, fad_of_embeddings

DESCRIPTORS = ("tempo_bpm", "tempo_stability", "key_clarity", "onset_density")


def load_targets(path: str | Path) -> dict[str, list[str]]:
    from tools.evaluate.alignment import check_labels

    p = Path(path)
    if not p.is_file():
        raise TastemakerError(f"{p}: no such targets file.")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))  # YAML reads JSON too
    except yaml.YAMLError as exc:
        raise TastemakerError(f"{p} is not valid YAML or JSON: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict) or not data:
        raise TastemakerError(f"{p}: expected a mapping of file name to intended genres, e.g. 'piece1.wav: [jazz]'.")
    out = {}
    for name, genres in data.items():
        genres = [genres] if isinstance(genres, str) else genres
        if not isinstance(genres, list) or not genres:
            raise TastemakerError(f"{p}: '{name}' needs a list of genres.")
        out[str(name)] = check_labels([str(g) for g in genres])
    return out


def sidecar_targets(audio: Path) -> list[str]:
    """The genres a generator was asked for, from the .json it wrote beside the audio (if any)."""
    sidecar = audio.with_suffix(".json")
    try:
        genres = json.loads(sidecar.read_text(encoding="utf-8")).get("style", {}).get("genres", {})
    except (OSError, ValueError, AttributeError):
        return []
    return [g for g, w in sorted(genres.items(), key=lambda kv: -kv[1]) if w >= 0.4] if isinstance(genres, dict) else []


def _means(rows: list[dict[str, Any]]) -> dict[str, float]:
    return {k: float(np.mean([r[k] for r in rows])) for k in DESCRIPTORS}


def evaluate_sets(generated: str | Path, reference: str | Path, targets: str | Path | None = None) -> dict[str, Any]:
    from tools.evaluate.alignment import align_file
    from tools.evaluate.descriptors import describe_file

    gen_files, ref_files = audio_files(generated), audio_files(reference)
    wanted = load_targets(targets) if targets else {}
    gen_emb, ref_emb = embed_files(gen_files), embed_files(ref_files)
    fad = fad_of_embeddings(gen_emb, ref_emb, files_a=len(gen_files), files_b=len(ref_files))
    rows = []
    for f in gen_files:
        row: dict[str, Any] = {"file": str(f)} | describe_file(f).as_dict()
        intended = wanted.get(f.name) or wanted.get("*") or ([] if targets else sidecar_targets(f))
        if intended:
            a = align_file(str(f), intended)
            row |= {"intended": a.intended, "heard": a.heard, "jaccard": a.jaccard, "hamming": a.hamming,
                    "matched": a.matched}
        rows.append(row)
    ref_rows = [{"file": str(f)} | describe_file(f).as_dict() for f in ref_files]
    aligned = [r for r in rows if "jaccard" in r]
    return {
        "generated": str(generated), "reference": str(reference),
        "fad": {"value": fad.fad, "embedder": fad.embedder, "embeddings": [fad.embeddings_a, fad.embeddings_b],
                "rank_deficient": fad.rank_deficient},
        "descriptors": {"generated": _means(rows), "reference": _means(ref_rows)},
        "alignment": {"files": len(aligned),
                      "mean_jaccard": float(np.mean([r["jaccard"] for r in aligned])) if aligned else None,
                      "mean_hamming": float(np.mean([r["hamming"] for r in aligned])) if aligned else None,
                      "match_rate": float(np.mean([r["matched"] for r in aligned])) if aligned else None},
        "files": rows, "reference_files": ref_rows,
    }


def format_metrics(result: dict[str, Any]) -> str:
    f = result["fad"]
    lines = [(f"Generated {result['generated']} ({len(result['files'])} files) against reference "
             f"{result['reference']} ({len(result['reference_files'])} files)"),
             f"  FAD ({f['embedder']}): {f['value']:.3f} over {f['embeddings'][0]} and {f['embeddings'][1]} "
             "embeddings" + (" (fewer embeddings than dimensions: compare only runs of the same size)"
                             if f["rank_deficient"] else ""),
             f"  {'descriptor':<17}{'generated':>11}{'reference':>11}"]
    for k in DESCRIPTORS:
        lines.append(f"  {k:<17}{result['descriptors']['generated'][k]:>11.3f}{result['descriptors']['reference'][k]:>11.3f}")
    a = result["alignment"]
    if a["files"]:
        lines.append(f"  alignment over {a['files']} files: mean Jaccard {a['mean_jaccard']:.3f}, mean Hamming "
                     f"{a['mean_hamming']:.3f}, match rate {a['match_rate']:.0%}")
        for r in result["files"]:
            if "jaccard" in r:
                lines.append(f"    {Path(r['file']).name}: wanted {', '.join(r['intended'])}; heard "
                             f"{', '.join(r['heard']) or 'nothing clear'} (Jaccard {r['jaccard']:.2f})")
    else:
        lines.append("  alignment: no intended genres (give --targets FILE)")
    return "\n".join(lines)
