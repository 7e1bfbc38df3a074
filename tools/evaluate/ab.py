"""Automated A/B experiments: two generation set-ups on the same requests and seeds, measured and tested.

Set-ups (SETUPS):
- plain: the request's words as the prompt (tools.language reads them), one generation.
- weighted: the probability-weighted prompt and style of a taste profile whose genres are the target
  (tools.prompting), one generation: the structured prompt against the free words.
- loop: the classifier in the loop (tools.loop.create): generate, re-tag, refine, up to 3 iterations.
- reference: retrieval-conditioned: the nearest library piece to the words (tools.reference) lends its
  MIDI (motifs, progression, tempo, key) to one generation.

Every (request, seed) pair is made by both set-ups, so the comparison is paired. Each piece is re-tagged
and described (tools.evaluate.alignment, .descriptors). Per metric: means with 95% t-intervals, a
Wilcoxon signed-rank test on the paired differences (two-sided), and a Mann-Whitney U test treating the two
sets as independent samples; for the match rate an exact McNemar test (binomial test on the discordant
pairs). FAD between the two sets (and against a reference folder when given) describes the sets as wholes.
The audio goes to DIR/a and DIR/b, ready for `tastemaker study create --a DIR/a --b DIR/b`.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from tools.contracts import Generation, TasteProfile
from tools.errors import TastemakerError

METRICS = ("jaccard", "target_probability", "hamming", "tempo_stability", "key_clarity", "onset_density",
           "seconds_to_make")
HIGHER_IS_BETTER = {"jaccard": True, "target_probability": True, "hamming": False}
LOOP_ITERS = 3
LOOP_CANDIDATES = 2


@dataclass
class ABRequest:
    prompt: str
    genres: list[str]


DEFAULT_REQUESTS = [
    ABRequest("a mellow jazz piece with piano", ["jazz"]),
    ABRequest("an energetic rock song with electric guitar", ["rock"]),
    ABRequest("a calm classical piece for strings", ["classical"]),
    ABRequest("heavy metal with fast drums", ["metal"]),
    ABRequest("an electronic track with synths", ["electronic"]),
    ABRequest("a country song with acoustic guitar", ["country"]),
    ABRequest("a hip-hop beat", ["hip-hop"]),
    ABRequest("a slow blues", ["blues"]),
    ABRequest("rock with a bit of blues", ["rock", "blues"]),
    ABRequest("jazzy classical piano", ["jazz", "classical"]),
]


def load_requests(path: str | Path | None) -> list[ABRequest]:
    """Requests from a YAML list of {prompt, genres}, or the built-in ten."""
    if path is None:
        return list(DEFAULT_REQUESTS)
    from tools.evaluate.alignment import check_labels

    p = Path(path)
    if not p.is_file():
        raise TastemakerError(f"{p}: no such requests file.")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TastemakerError(f"{p} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, list) or not data:
        raise TastemakerError(f"{p}: expected a list of requests like '- {{prompt: a jazz piece, genres: [jazz]}}'.")
    requests = []
    for i, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("prompt"), str) or not item.get("genres"):
            raise TastemakerError(f"{p}: request {i} needs 'prompt' (text) and 'genres' (the intended genres).")
        genres = [item["genres"]] if isinstance(item["genres"], str) else list(item["genres"])
        requests.append(ABRequest(item["prompt"], check_labels(genres)))
    return requests


# -- the set-ups --------------------------------------------------------------------------------------

def _plain(request: ABRequest, seed: int, seconds: float, engine: str) -> Generation:
    from tools.generate import GenerationRequest, generate

    return generate(GenerationRequest(prompt=request.prompt, seconds=seconds, seed=seed, engine=engine))[0]


def _target_profile(request: ABRequest) -> TasteProfile:
    return TasteProfile(genres={g: 0.8 for g in request.genres}, words=[request.prompt])


def _weighted(request: ABRequest, seed: int, seconds: float, engine: str) -> Generation:
    from tools.generate import GenerationRequest, generate
    from tools.prompting import profile_to_prompt, profile_to_style

    profile = _target_profile(request)
    return generate(GenerationRequest(prompt=profile_to_prompt(profile), style=profile_to_style(profile),
                                      seconds=seconds, seed=seed, engine=engine))[0]


def _loop(request: ABRequest, seed: int, seconds: float, engine: str) -> Generation:
    from tools.loop import LoopConfig, create

    config = LoopConfig(max_iters=LOOP_ITERS, candidates=LOOP_CANDIDATES, seconds=seconds, engine=engine, seed=seed)
    result = create(_target_profile(request), request.genres, config)
    if result.best is None:
        raise TastemakerError(f"The loop made nothing for '{request.prompt}' ({result.stop_reason}).")
    return result.best.generation


def _reference(request: ABRequest, seed: int, seconds: float, engine: str) -> Generation:
    from tools.generate import GenerationRequest, generate
    from tools.reference import choose_reference

    track = choose_reference([], request.prompt)
    if track is None or not track.midi_path:
        raise TastemakerError(f"The library has no piece with a score to borrow from for '{request.prompt}'. "
                              "Build or fill the library first (`tastemaker library ...`).")
    return generate(GenerationRequest(prompt=request.prompt, seconds=seconds, seed=seed, engine=engine,
                                      reference_midi=track.midi_path))[0]


SETUPS: dict[str, Callable[[ABRequest, int, float, str], Generation]] = {
    "plain": _plain, "weighted": _weighted, "loop": _loop, "reference": _reference,
}


# -- measuring and testing ----------------------------------------------------------------------------

def measure(path: str, target: list[str]) -> dict[str, Any]:
    from tools.evaluate.alignment import align_file
    from tools.evaluate.descriptors import describe_file

    a = align_file(path, target)
    d = describe_file(path)
    return {"heard": a.heard, "matched": a.matched, "jaccard": a.jaccard, "hamming": a.hamming,
            "target_probability": a.target_probability, "tempo_bpm": d.tempo_bpm,
            "tempo_stability": d.tempo_stability, "key": d.key, "key_clarity": d.key_clarity,
            "onset_density": d.onset_density}


def _mean_ci(x: np.ndarray) -> dict[str, Any]:
    from scipy import stats

    mean = float(x.mean())
    if len(x) < 2 or np.allclose(x, x[0]):
        return {"mean": mean, "ci": [mean, mean]}
    low, high = stats.t.interval(0.95, len(x) - 1, loc=mean, scale=stats.sem(x))
    return {"mean": mean, "ci": [float(low), float(high)]}


def compare(a: list[float], b: list[float]) -> dict[str, Any]:
    """Means with CIs, the paired Wilcoxon signed-rank test and the unpaired Mann-Whitney U test (two-sided)."""
    from scipy import stats

    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    out: dict[str, Any] = {"a": _mean_ci(x), "b": _mean_ci(y), "mean_difference": float((y - x).mean())}
    if np.allclose(x, y):
        out["wilcoxon"] = {"statistic": 0.0, "p": 1.0, "note": "every pair equal"}
    else:
        w = stats.wilcoxon(x, y)
        out["wilcoxon"] = {"statistic": float(w.statistic), "p": float(w.pvalue)}
    u = stats.mannwhitneyu(x, y, alternative="two-sided")
    out["mann_whitney"] = {"u": float(u.statistic), "p": float(u.pvalue)}
    return out


def mcnemar(a: list[bool], b: list[bool]) -> dict[str, Any]:
    """Exact McNemar test of paired matches: a binomial test on the pairs where only one set-up matched."""
    from scipy import stats

    only_a = sum(1 for x, y in zip(a, b) if x and not y)
    only_b = sum(1 for x, y in zip(a, b) if y and not x)
    p = float(stats.binomtest(only_a, only_a + only_b, 0.5).pvalue) if only_a + only_b else 1.0
    return {"a_rate": sum(a) / len(a), "b_rate": sum(b) / len(b), "only_a": only_a, "only_b": only_b, "p": p}


def run_ab(setup_a: str, setup_b: str, requests: list[ABRequest], seeds: list[int], out_dir: str | Path,
           seconds: float = 6.0, engine: str = "sketch", reference: str | Path | None = None,
           progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Make every (request, seed) with both set-ups, measure, test; audio lands in out_dir/a and out_dir/b."""
    for name in (setup_a, setup_b):
        if name not in SETUPS:
            raise TastemakerError(f"Unknown set-up '{name}'. Choose from: {', '.join(SETUPS)}.")
    if setup_a == setup_b:
        raise TastemakerError("Compare two different set-ups (e.g. plain and loop).")
    if not requests or not seeds:
        raise TastemakerError("An A/B run needs at least one request and one seed.")
    out = Path(out_dir)
    for cond in ("a", "b"):
        shutil.rmtree(out / cond, ignore_errors=True)  # a rerun replaces the audio of the last one
        (out / cond).mkdir(parents=True)
    rows = []
    total = len(requests) * len(seeds)
    for i, request in enumerate(requests):
        for seed in seeds:
            row: dict[str, Any] = {"request": i, "prompt": request.prompt, "target": request.genres, "seed": seed}
            for cond, setup in (("a", setup_a), ("b", setup_b)):
                if progress:
                    progress(f"[{len(rows) + 1}/{total}] {setup}: {request.prompt} (seed {seed})")
                started = time.perf_counter()
                generation = SETUPS[setup](request, seed, seconds, engine)
                took = time.perf_counter() - started
                path = out / cond / f"r{i:02d}-s{seed}.wav"
                shutil.copyfile(generation.audio_path, path)
                row[cond] = measure(str(path), request.genres) | {
                    "path": str(path), "engine": generation.engine, "model": generation.model,
                    "seconds_to_make": took}
            rows.append(row)
    report: dict[str, Any] = {
        "setups": {"a": setup_a, "b": setup_b}, "requests": len(requests), "seeds": seeds, "pairs": len(rows),
        "seconds": seconds, "engine": engine, "rows": rows,
        "metrics": {m: compare([r["a"][m] for r in rows], [r["b"][m] for r in rows]) for m in METRICS},
        "match": mcnemar([r["a"]["matched"] for r in rows], [r["b"]["matched"] for r in rows]),
    }
    from tools.evaluate.fad import audio_files, embed_files, fad_of_embeddings

    emb = {c: embed_files(audio_files(out / c)) for c in ("a", "b")}
    fads = {"a_vs_b": fad_of_embeddings(emb["a"], emb["b"]).fad}
    if reference is not None:
        ref_files = audio_files(reference)
        ref = embed_files(ref_files)
        for c in ("a", "b"):
            fads[f"{c}_vs_reference"] = fad_of_embeddings(emb[c], ref, files_a=len(rows), files_b=len(ref_files)).fad
    report["fad"] = fads
    return report


# -- the report ----------------------------------------------------------------------------------------

def format_ab(report: dict[str, Any]) -> str:
    a, b = report["setups"]["a"], report["setups"]["b"]
    m = report["match"]
    lines = [(f"A/B: A = {a}, B = {b}; {report['pairs']} paired pieces ({report['requests']} requests x "
             f"{len(report['seeds'])} seeds, {report['seconds']:g} s, {report['engine']} engine)"),
             (f"  match rate: A {m['a_rate']:.0%}, B {m['b_rate']:.0%} (only A matched {m['only_a']}, only B "
             f"{m['only_b']}; exact McNemar p = {m['p']:.3g})"),
             f"  {'metric':<19}{'A mean [95% CI]':>24}{'B mean [95% CI]':>24}{'Wilcoxon p':>12}{'M-W U p':>10}"]

    def cell(s: dict[str, Any]) -> str:
        return f"{s['mean']:.3f} [{s['ci'][0]:.3f}, {s['ci'][1]:.3f}]"

    for name, c in report["metrics"].items():
        lines.append(f"  {name:<19}{cell(c['a']):>24}{cell(c['b']):>24}{c['wilcoxon']['p']:>12.3g}"
                     f"{c['mann_whitney']['p']:>10.3g}")
    lines.append("  FAD (musicnn): " + ", ".join(f"{k.replace('_', ' ')} {v:.2f}" for k, v in report["fad"].items()))
    return "\n".join(lines)


def write_ab_report(report: dict[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """ab.json, ab.md and ab.png in out_dir (each written whole, then renamed into place)."""
    out = Path(out_dir)
    files = {"json": out / "ab.json", "markdown": out / "ab.md", "chart": out / "ab.png"}
    _chart(report, files["chart"])
    for key, text in (("json", json.dumps(report, indent=2)), ("markdown", _markdown(report))):
        tmp = files[key].with_name(f".{files[key].name}.part")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(files[key])
    return files


def _markdown(report: dict[str, Any]) -> str:
    a, b = report["setups"]["a"], report["setups"]["b"]
    lines = [f"# A/B: {a} (A) against {b} (B)", "", "```", format_ab(report), "```", "", "![A/B](ab.png)", "",
             "| request | seed | target | A heard | A Jaccard | B heard | B Jaccard | A audio | B audio |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in report["rows"]:
        lines.append(f"| {r['prompt']} | {r['seed']} | {', '.join(r['target'])} | {', '.join(r['a']['heard'])} | "
                     f"{r['a']['jaccard']:.2f} | {', '.join(r['b']['heard'])} | {r['b']['jaccard']:.2f} | "
                     f"[a](a/{Path(r['a']['path']).name}) | [b](b/{Path(r['b']['path']).name}) |")
    lines += ["", "Listen blind: `tastemaker study create --a a --b b` (run in this folder)."]
    return "\n".join(lines)


def _chart(report: dict[str, Any], path: Path) -> None:
    """One panel per metric: each pair as a grey line from A to B, the means in colour."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = ["jaccard", "target_probability", "tempo_stability", "key_clarity", "onset_density"]
    fig, axes = plt.subplots(1, len(shown), figsize=(3 * len(shown), 3.4))
    for ax, metric in zip(axes, shown):
        a = [r["a"][metric] for r in report["rows"]]
        b = [r["b"][metric] for r in report["rows"]]
        for x, y in zip(a, b):
            ax.plot([0, 1], [x, y], color="#bbbbbb", linewidth=0.8)
        ax.plot([0, 1], [np.mean(a), np.mean(b)], color="#6c5ce7", marker="o", linewidth=2.5)
        ax.set_xticks([0, 1], [f"A\n{report['setups']['a']}", f"B\n{report['setups']['b']}"])
        ax.set_title(f"{metric}\nWilcoxon p={report['metrics'][metric]['wilcoxon']['p']:.2g}", fontsize=9)
    fig.tight_layout()
    tmp = path.with_name(f".{path.stem}.part.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    tmp.replace(path)
