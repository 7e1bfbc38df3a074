"""Blind listening studies: clips from two conditions (A and B), rated by people who don't know which is which.

Two forms:
- `rating`: each clip on its own, rated 1 to 5 (default question "How much do
  you like this clip?"). Results: mean per condition with a 95% t-interval,
  and a two-sided Mann-Whitney U test between the conditions' ratings.
- `choice`: pairs of one A clip and one B clip; the rater picks the one they
  think is machine-made (the `machine` condition, A by default). Results: the
  share of correct picks with a 95% exact (Clopper-Pearson) interval and a
  two-sided binomial test against chance (0.5): near 0.5 means the machine's
  music could not be told apart.

Double-blind: clips are copied under random tokens, re-encoded to one sample
rate and loudness (so neither file names, metadata, sample rate nor level give
the condition away), and each rater gets their own shuffled order (and, for
pairs, their own left/right order). Only `results` reveals the conditions.

Storage: tables study_* in the data directory's tastemaker.db; the clips in
<home>/studies/<id>/. Creation writes the clips to a temp folder and renames
it once the database transaction has committed, so nothing half-made is left.
"""

from __future__ import annotations

import random
import secrets
import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tools.errors import TastemakerError
from tools.settings import get_settings

KINDS = ("rating", "choice")
QUESTIONS = {
    "rating": "How much do you like this clip?",
    "choice": "One of these two clips is machine-made. Which one?",
}
SCALE = (1, 2, 3, 4, 5)
CLIP_RATE = 32000
TARGET_DBFS = -23.0  # RMS level every clip is brought to (leaves ~22 dB for peaks)
PEAK_LIMIT = 0.89  # -1 dBFS
DEFAULT_MAX_SECONDS = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS studies (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    question TEXT NOT NULL,
    machine TEXT,
    source_a TEXT NOT NULL,
    source_b TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS study_clips (
    study TEXT NOT NULL,
    token TEXT NOT NULL,
    condition TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (study, token)
);
CREATE TABLE IF NOT EXISTS study_trials (
    study TEXT NOT NULL,
    trial INTEGER NOT NULL,
    first TEXT NOT NULL,
    second TEXT,
    PRIMARY KEY (study, trial)
);
CREATE TABLE IF NOT EXISTS study_responses (
    study TEXT NOT NULL,
    rater TEXT NOT NULL,
    trial INTEGER NOT NULL,
    score INTEGER,
    chosen TEXT,
    created REAL NOT NULL,
    PRIMARY KEY (study, rater, trial)
);
"""


@dataclass
class Study:
    id: str
    kind: str
    question: str
    machine: str | None
    source_a: str
    source_b: str
    created: float
    trials: list[tuple[str, str | None]] = field(default_factory=list)  # (first token, second token or None)

    @property
    def folder(self) -> Path:
        return studies_dir() / self.id


@dataclass
class Trial:
    """One screen of the study as one rater sees it."""

    number: int  # the trial's id in the study
    position: int  # 1-based place in this rater's order
    total: int
    clips: list[str]  # tokens, in this rater's left-to-right order


def studies_dir() -> Path:
    return get_settings().ensure_home() / "studies"


def connect() -> sqlite3.Connection:
    db = sqlite3.connect(str(get_settings().ensure_home() / "tastemaker.db"), timeout=30)
    db.executescript(_SCHEMA)
    return db


def _normalise(samples: np.ndarray) -> np.ndarray:
    """One loudness for every clip (RMS to TARGET_DBFS, peaks kept below -1 dBFS): level is no clue."""
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) or 1.0
    y = samples * (10 ** (TARGET_DBFS / 20) / rms)
    peak = float(np.abs(y).max())
    return (y * (PEAK_LIMIT / peak) if peak > PEAK_LIMIT else y).astype(np.float32)


def create_study(dir_a: str | Path, dir_b: str | Path, kind: str = "rating", question: str | None = None,
                 machine: str = "a", max_seconds: float = DEFAULT_MAX_SECONDS, seed: int | None = None) -> Study:
    """Copy the clips of two folders into a new blind study and return it."""
    from tools.audio import load_clip, write_wav
    from tools.evaluate.fad import audio_files

    if kind not in KINDS:
        raise TastemakerError(f"Unknown study kind '{kind}'. Choose one of: {', '.join(KINDS)}.")
    if machine not in ("a", "b"):
        raise TastemakerError(f"--machine must be 'a' or 'b' (which folder holds the machine-made clips), not {machine!r}.")
    if max_seconds <= 0:
        raise TastemakerError(f"--max-seconds must be positive (got {max_seconds:g}).")
    files = {"a": audio_files(dir_a), "b": audio_files(dir_b)}
    rng = random.Random(seed)
    study_id = secrets.token_hex(4)
    clips = [(cond, f) for cond in ("a", "b") for f in files[cond]]
    # Read every clip before writing anything, so a bad file stops creation with nothing written.
    loaded = [(cond, f, load_clip(f, sample_rate=CLIP_RATE, max_seconds=max_seconds)) for cond, f in clips]
    tokens: dict[str, list[str]] = {"a": [], "b": []}
    rows = []
    final = studies_dir() / study_id
    staging = studies_dir() / f".{study_id}.part"
    staging.mkdir(parents=True)
    renamed = False
    try:
        for cond, f, clip in loaded:
            token = secrets.token_hex(8)
            write_wav(staging / f"{token}.wav", _normalise(clip.samples), CLIP_RATE)
            tokens[cond].append(token)
            rows.append((study_id, token, cond, str(Path(f).resolve())))
        trials = _make_trials(kind, tokens, rng)
        study = Study(id=study_id, kind=kind, question=question or QUESTIONS[kind],
                      machine=machine if kind == "choice" else None, source_a=str(Path(dir_a).resolve()),
                      source_b=str(Path(dir_b).resolve()), created=time.time(), trials=trials)
        with closing(connect()) as db, db:
            db.execute("INSERT INTO studies VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (study.id, study.kind, study.question, study.machine, study.source_a, study.source_b,
                        study.created))
            db.executemany("INSERT INTO study_clips VALUES (?, ?, ?, ?)", rows)
            db.executemany("INSERT INTO study_trials VALUES (?, ?, ?, ?)",
                           [(study.id, i, first, second) for i, (first, second) in enumerate(trials)])
            staging.rename(final)  # inside the transaction: if the rename fails, the rows roll back
            renamed = True
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if renamed:  # the commit itself failed: the clips go too
            shutil.rmtree(final, ignore_errors=True)
        raise
    return study


def _make_trials(kind: str, tokens: dict[str, list[str]], rng: random.Random) -> list[tuple[str, str | None]]:
    if kind == "rating":
        return [(t, None) for t in tokens["a"] + tokens["b"]]
    a, b = list(tokens["a"]), list(tokens["b"])
    rng.shuffle(a)
    rng.shuffle(b)
    if not a or not b:
        raise TastemakerError("A two-choice study needs at least one clip in each folder.")
    n = max(len(a), len(b))  # every clip is heard: the shorter list is reused to fill the pairs
    return [(a[i % len(a)], b[i % len(b)]) for i in range(n)]


def load_study(study_id: str) -> Study:
    with closing(connect()) as db:
        row = db.execute("SELECT id, kind, question, machine, source_a, source_b, created FROM studies WHERE id = ?",
                         (study_id,)).fetchone()
        if row is None:
            known = [r[0] for r in db.execute("SELECT id FROM studies ORDER BY created DESC LIMIT 10")]
            raise TastemakerError(f"There is no study '{study_id}'. Known studies: {', '.join(known) or 'none yet'} "
                                  "(create one with `tastemaker study create --a DIR --b DIR`).")
        trials = db.execute("SELECT first, second FROM study_trials WHERE study = ? ORDER BY trial",
                            (study_id,)).fetchall()
    return Study(*row, trials=[(first, second) for first, second in trials])


def list_studies() -> list[dict]:
    with closing(connect()) as db:
        rows = db.execute(
            "SELECT s.id, s.kind, s.question, s.created, "
            "(SELECT COUNT(*) FROM study_trials t WHERE t.study = s.id), "
            "(SELECT COUNT(DISTINCT rater) FROM study_responses r WHERE r.study = s.id) "
            "FROM studies s ORDER BY s.created").fetchall()
    return [{"id": r[0], "kind": r[1], "question": r[2], "created": r[3], "trials": r[4], "raters": r[5]}
            for r in rows]


def clip_path(study: Study, token: str) -> Path:
    """The audio file of a clip token of this study (only tokens the study owns)."""
    if not any(token in pair for pair in study.trials):
        raise TastemakerError(f"Study {study.id} has no clip '{token}'.")
    return study.folder / f"{token}.wav"


def rater_order(study: Study, rater: str) -> list[Trial]:
    """This rater's shuffled trials (and left/right order), the same every time they come back."""
    rng = random.Random(f"{study.id}:{rater}")
    order = list(range(len(study.trials)))
    rng.shuffle(order)
    screens = []
    for position, number in enumerate(order, start=1):
        first, second = study.trials[number]
        clips = [first] if second is None else ([first, second] if rng.random() < 0.5 else [second, first])
        screens.append(Trial(number=number, position=position, total=len(order), clips=clips))
    return screens


def answered(study: Study, rater: str) -> set[int]:
    with closing(connect()) as db:
        return {r[0] for r in db.execute("SELECT trial FROM study_responses WHERE study = ? AND rater = ?",
                                         (study.id, rater))}


def next_trial(study: Study, rater: str) -> Trial | None:
    done = answered(study, rater)
    return next((t for t in rater_order(study, rater) if t.number not in done), None)


def record_response(study: Study, rater: str, trial: int, score: int | None = None, chosen: str | None = None) -> None:
    """Store one answer (answering a trial again replaces the earlier answer)."""
    if not (0 <= trial < len(study.trials)):
        raise TastemakerError(f"Study {study.id} has no trial {trial}.")
    first, second = study.trials[trial]
    if study.kind == "rating":
        if score not in SCALE:
            raise TastemakerError(f"A rating must be a whole number from 1 to 5 (got {score!r}).")
        chosen = None
    else:
        if chosen not in (first, second):
            raise TastemakerError("Pick one of the two clips of this trial.")
        score = None
    with closing(connect()) as db, db:
        db.execute("INSERT INTO study_responses VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(study, rater, trial) DO UPDATE "
                   "SET score = excluded.score, chosen = excluded.chosen, created = excluded.created",
                   (study.id, rater, trial, score, chosen, time.time()))


# -- results -------------------------------------------------------------------------------------

def _mean_ci(values: list[float], level: float = 0.95) -> dict:
    from scipy import stats

    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return {"n": 0, "mean": None, "ci": None, "median": None}
    mean = float(x.mean())
    if len(x) < 2 or x.std() == 0:
        ci = (mean, mean)
    else:
        ci = tuple(float(v) for v in stats.t.interval(level, len(x) - 1, loc=mean, scale=stats.sem(x)))
    return {"n": len(x), "mean": mean, "ci": list(ci), "median": float(np.median(x))}


def results(study_id: str) -> dict:
    """The study's summary: per condition means with CIs and Mann-Whitney U, or the binomial test for pairs."""
    from scipy import stats

    study = load_study(study_id)
    with closing(connect()) as db:
        conditions = dict(db.execute("SELECT token, condition FROM study_clips WHERE study = ?", (study.id,)))
        responses = db.execute("SELECT rater, trial, score, chosen FROM study_responses WHERE study = ?",
                               (study.id,)).fetchall()
    out: dict = {"study": study.id, "kind": study.kind, "question": study.question,
                 "sources": {"a": study.source_a, "b": study.source_b}, "trials": len(study.trials),
                 "raters": len({r[0] for r in responses}), "responses": len(responses)}
    if study.kind == "rating":
        by_cond: dict[str, list[float]] = {"a": [], "b": []}
        for _, trial, score, _ in responses:
            by_cond[conditions[study.trials[trial][0]]].append(float(score))
        out["conditions"] = {c: _mean_ci(v) for c, v in by_cond.items()}
        if by_cond["a"] and by_cond["b"]:
            u = stats.mannwhitneyu(by_cond["a"], by_cond["b"], alternative="two-sided")
            n1, n2 = len(by_cond["a"]), len(by_cond["b"])
            out["mann_whitney"] = {"u": float(u.statistic), "p": float(u.pvalue),
                                   "rank_biserial": float(2 * u.statistic / (n1 * n2) - 1)}
        else:
            out["mann_whitney"] = None
    else:
        correct = sum(1 for _, _, _, chosen in responses if conditions.get(chosen) == study.machine)
        n = len(responses)
        out["machine"] = study.machine
        out["correct"] = correct
        if n:
            test = stats.binomtest(correct, n, 0.5)
            ci = test.proportion_ci(0.95, method="exact")
            out["binomial"] = {"proportion": correct / n, "ci": [float(ci.low), float(ci.high)], "p": float(test.pvalue)}
        else:
            out["binomial"] = None
    return out


def format_results(summary: dict) -> str:
    """The summary as a few lines for a terminal."""
    lines = [f"Study {summary['study']} ({summary['kind']}): {summary['question']}",
             f"  A = {summary['sources']['a']}", f"  B = {summary['sources']['b']}",
             f"  {summary['responses']} responses from {summary['raters']} rater(s) over {summary['trials']} trials"]
    if summary["kind"] == "rating":
        for c in ("a", "b"):
            s = summary["conditions"][c]
            if s["n"]:
                lines.append(f"  {c.upper()}: mean {s['mean']:.2f} (95% CI {s['ci'][0]:.2f} to {s['ci'][1]:.2f}), "
                             f"median {s['median']:.1f}, n = {s['n']}")
            else:
                lines.append(f"  {c.upper()}: no ratings yet")
        mw = summary["mann_whitney"]
        lines.append(f"  Mann-Whitney U = {mw['u']:.1f}, p = {mw['p']:.4g} (two-sided), rank-biserial r = "
                     f"{mw['rank_biserial']:+.2f}" if mw else "  Mann-Whitney U: needs ratings in both conditions")
    else:
        b = summary["binomial"]
        if b:
            lines.append(f"  machine-made ({summary['machine'].upper()}) picked correctly {summary['correct']} of "
                         f"{summary['responses']} times: {b['proportion']:.0%} (95% CI {b['ci'][0]:.0%} to "
                         f"{b['ci'][1]:.0%}), binomial p = {b['p']:.4g} against chance (50%)")
        else:
            lines.append("  no answers yet")
    return "\n".join(lines)


def plot_results(summary: dict, path: str | Path) -> Path:
    """A bar chart of the summary (means with CIs, or the correct-pick share against chance), written to `path`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 3.5))
    if summary["kind"] == "rating":
        conds = [c for c in ("a", "b") if summary["conditions"][c]["n"]]
        means = [summary["conditions"][c]["mean"] for c in conds]
        errs = np.array([[m - summary["conditions"][c]["ci"][0], summary["conditions"][c]["ci"][1] - m]
                         for c, m in zip(conds, means)]).T.reshape(2, -1)
        ax.bar([c.upper() for c in conds], means, yerr=errs, capsize=6, color=["#6c5ce7", "#00b894"][: len(conds)])
        ax.set_ylim(0, 5.5)
        ax.set_ylabel("mean rating (95% CI)")
        mw = summary["mann_whitney"]
        ax.set_title(f"Mann-Whitney p = {mw['p']:.3g}" if mw else "ratings", fontsize=10)
    else:
        b = summary["binomial"] or {"proportion": 0.0, "ci": [0.0, 0.0], "p": 1.0}
        p = b["proportion"]
        ax.bar(["correct picks"], [p], yerr=[[p - b["ci"][0]], [b["ci"][1] - p]], capsize=6, color="#6c5ce7")
        ax.axhline(0.5, color="grey", linestyle="--", label="chance")
        ax.set_ylim(0, 1)
        ax.legend()
        ax.set_title(f"binomial p = {b['p']:.3g}", fontsize=10)
    fig.tight_layout()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=100)
    plt.close(fig)
    return target
