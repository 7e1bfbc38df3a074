"""Scripted conversations: YAML scripts of turns with expectations, run through the chat agent itself.

A script (see README, "Scripted conversations"):

    name: make and refine            # optional, default: the file name
    description: what it checks      # optional
    turns:
      - user: make me a 6 second rock track
        attach: [audio/rock.flac]    # optional: audio files, relative to the script
        expect:
          tools: [generate_music]    # tools that must be called ([] = no tool at all)
          reply_contains: [rock]     # words the reply must contain (case-insensitive)
          reply_excludes: [sorry]    # words it must not contain
          genres: [rock]             # each among the top 3 genres of some tags this turn produced
          audio: true                # a player in the reply (true/false, or an exact count)
          loop_matched: true         # the classifier loop ran and its best attempt matched
          max_latency_s: 60          # the turn answered within this many seconds
          tool_error: false          # default: no tool may return an error when tools were called

Radio words go to the radio first, as in the chat apps: a turn that starts, steers or stops a station has the
tool "radio" (its audio: the piece that starts), a playlist request the tool "playlist" (its files).

Each script gets a fresh ChatAgent (the same class the browser and terminal chats use) with its own user name,
so taste profiles and feedback of one script never leak into another (or into the person's own).
The brain is the configured one (an OpenAI-compatible LLM when set up, else the offline planner), or the
offline planner when asked.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tools.errors import TastemakerError

EXPECTATIONS = ("tools", "reply_contains", "reply_excludes", "genres", "audio", "loop_matched", "max_latency_s",
                "tool_error")
TURN_KEYS = ("user", "attach", "expect")
SCRIPT_KEYS = ("name", "description", "turns")
GENRE_TOP = 3  # "genres in the tags": among a tag result's top 3


@dataclass
class Turn:
    user: str
    attach: list[Path] = field(default_factory=list)
    expect: dict[str, Any] = field(default_factory=dict)


@dataclass
class Script:
    name: str
    path: Path
    turns: list[Turn]
    description: str = ""


# -- reading scripts -------------------------------------------------------------------------------

def _bad(path: Path, where: str, problem: str) -> TastemakerError:
    return TastemakerError(f"{path}: {where}: {problem}")


def _words(value: Any, path: Path, where: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(w, str) for w in items):
        raise _bad(path, where, "expected a word or a list of words")
    return list(items)


def _check_expect(expect: Any, path: Path, where: str) -> dict[str, Any]:
    if expect is None:
        return {}
    if not isinstance(expect, dict):
        raise _bad(path, where, "'expect' must be a mapping of expectations")
    unknown = sorted(set(expect) - set(EXPECTATIONS))
    if unknown:
        raise _bad(path, where, f"unknown expectation {', '.join(unknown)}; known: {', '.join(EXPECTATIONS)}")
    out = dict(expect)
    for key in ("tools", "reply_contains", "reply_excludes", "genres"):
        if key in out:
            out[key] = _words(out[key], path, f"{where}, {key}")
    if "genres" in out:
        from tools.evaluate.alignment import check_labels

        try:
            out["genres"] = check_labels(out["genres"])
        except TastemakerError as exc:
            raise _bad(path, f"{where}, genres", str(exc)) from None
    if "audio" in out and not isinstance(out["audio"], (bool, int)):
        raise _bad(path, where, "'audio' must be true, false or a number of players")
    for key in ("loop_matched", "tool_error"):
        if key in out and not isinstance(out[key], bool):
            raise _bad(path, where, f"'{key}' must be true or false")
    if "max_latency_s" in out and (isinstance(out["max_latency_s"], bool)
                                   or not isinstance(out["max_latency_s"], (int, float))
                                   or out["max_latency_s"] <= 0):
        raise _bad(path, where, "'max_latency_s' must be a positive number of seconds")
    return out


def load_script(path: str | Path) -> Script:
    """Read and check a script; a TastemakerError says which file, turn and key is wrong."""
    p = Path(path)
    if p.is_dir():
        raise TastemakerError(f"{p} is a folder: give the scripts in it ({p}/*.yaml).")
    if not p.is_file():
        raise TastemakerError(f"{p}: no such conversation script.")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TastemakerError(f"{p} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list) or not data["turns"]:
        raise _bad(p, "script", "expected a mapping with a non-empty list of 'turns'")
    unknown = sorted(set(data) - set(SCRIPT_KEYS))
    if unknown:
        raise _bad(p, "script", f"unknown key {', '.join(unknown)}; known: {', '.join(SCRIPT_KEYS)}")
    turns = []
    for i, raw in enumerate(data["turns"], start=1):
        where = f"turn {i}"
        if not isinstance(raw, dict) or not isinstance(raw.get("user"), str) or not raw["user"].strip():
            raise _bad(p, where, "each turn needs 'user': the message text")
        unknown = sorted(set(raw) - set(TURN_KEYS))
        if unknown:
            raise _bad(p, where, f"unknown key {', '.join(unknown)}; known: {', '.join(TURN_KEYS)}")
        attach = [p.parent / a for a in _words(raw.get("attach", []), p, f"{where}, attach")]
        for a in attach:
            if not a.is_file():
                raise _bad(p, where, f"attachment {a} does not exist (paths are relative to the script)")
        turns.append(Turn(user=raw["user"], attach=attach, expect=_check_expect(raw.get("expect"), p, where)))
    return Script(name=str(data.get("name") or p.stem), path=p, turns=turns,
                  description=str(data.get("description") or ""))


# -- what a turn did ---------------------------------------------------------------------------------

def _json(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text if isinstance(text, str) else "")
    except json.JSONDecodeError:
        return {"error": str(text)}
    return value if isinstance(value, dict) else {}


def tool_results(agent: Any) -> list[tuple[str, dict[str, Any]]]:
    """(tool name, result) of every tool call of the agent's last turn, read from its conversation state."""
    from langchain_core.messages import HumanMessage, ToolMessage

    messages = agent.graph.get_state(agent.config).values.get("messages", [])
    last_human = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    return [(m.name or "", _json(m.content)) for m in messages[last_human + 1:] if isinstance(m, ToolMessage)]


def genre_lists(results: list[tuple[str, dict[str, Any]]]) -> list[list[str]]:
    """The genre rankings the turn's tools reported: each upload described, each piece made (as the tagger
    heard it), the taste profile, each library track found."""
    lists: list[list[str]] = []

    def ranked(pairs: Any) -> list[str]:
        if isinstance(pairs, dict):
            pairs = sorted(pairs.items(), key=lambda kv: -kv[1])
        return [str(p[0]) for p in pairs or []][:GENRE_TOP]

    for _, result in results:
        for upload in result.get("uploads", []):
            lists.append(ranked(upload.get("genres")))
        for piece in result.get("pieces", []):
            lists.append(ranked(piece.get("heard_genres")))
        if "genres" in result and "explanation" in result:  # a taste profile
            lists.append(ranked(result["genres"]))
        for track in result.get("tracks", result.get("results", [])) or []:
            if isinstance(track, dict) and track.get("genre"):
                lists.append([str(track["genre"])])
    return [g for g in lists if g]


@dataclass
class TurnOutcome:
    user: str
    reply: str
    tools: list[str]
    latency_s: float
    checks: list[dict[str, Any]]
    attachments: list[str] = field(default_factory=list)
    audio: list[str] = field(default_factory=list)
    genres: list[list[str]] = field(default_factory=list)
    tool_errors: list[str] = field(default_factory=list)
    loop: dict[str, Any] | None = None

    @property
    def passed(self) -> bool:
        return all(c["passed"] for c in self.checks)

    @property
    def failures(self) -> list[str]:
        return [f"{c['expectation']}: {c['detail']}" for c in self.checks if not c["passed"]]

    def as_dict(self) -> dict[str, Any]:
        return {"user": self.user, "reply": self.reply, "tools": self.tools, "passed": self.passed,
                "failures": self.failures, "latency_s": round(self.latency_s, 3), "attachments": self.attachments,
                "audio": self.audio, "genres": self.genres, "tool_errors": self.tool_errors, "loop": self.loop,
                "checks": self.checks}


def check_turn(expect: dict[str, Any], outcome: TurnOutcome) -> list[dict[str, Any]]:
    """Each expectation of the turn, passed or not, with what was seen."""
    checks = []

    def add(name: str, passed: bool, detail: str) -> None:
        checks.append({"expectation": name, "passed": bool(passed), "detail": detail})

    reply = outcome.reply.lower()
    if "tools" in expect:
        wanted = expect["tools"]
        ok = set(wanted) <= set(outcome.tools) if wanted else not outcome.tools
        add("tools", ok, f"wanted {wanted or 'no tool'}, called {outcome.tools or 'none'}")
    if "reply_contains" in expect:
        missing = [w for w in expect["reply_contains"] if w.lower() not in reply]
        add("reply_contains", not missing, f"missing {missing}" if missing else f"has {expect['reply_contains']}")
    if "reply_excludes" in expect:
        found = [w for w in expect["reply_excludes"] if w.lower() in reply]
        add("reply_excludes", not found, f"has {found}" if found else f"none of {expect['reply_excludes']}")
    if "genres" in expect:
        heard = {g for ranking in outcome.genres for g in ranking}
        missing = [g for g in expect["genres"] if g not in heard]
        add("genres", not missing, f"top-{GENRE_TOP} genres this turn: {outcome.genres or 'none'}")
    if "audio" in expect:
        want, n = expect["audio"], len(outcome.audio)
        ok = (n > 0) == want if isinstance(want, bool) else n == want
        add("audio", ok, f"{n} player(s)")
    if "loop_matched" in expect:
        matched = bool(outcome.loop and outcome.loop["matched"])
        seen = f"loop matched={outcome.loop['matched']} jaccard={outcome.loop['jaccard']:.2f}" if outcome.loop \
            else "no classifier loop ran"
        add("loop_matched", matched == expect["loop_matched"], seen)
    if "max_latency_s" in expect:
        add("max_latency_s", outcome.latency_s <= expect["max_latency_s"],
            f"{outcome.latency_s:.2f} s (bound {expect['max_latency_s']} s)")
    if outcome.tools or "tool_error" in expect:
        want_error = bool(expect.get("tool_error", False))
        add("tool_error", bool(outcome.tool_errors) == want_error,
            f"errors: {outcome.tool_errors}" if outcome.tool_errors else "no tool errors")
    return checks


# -- running -----------------------------------------------------------------------------------------

def make_agent(script: Script, offline: bool = False) -> Any:
    """A fresh chat agent for one script, with a user name of its own."""
    from agent.graph import ChatAgent
    from agent.session import Session

    model = None
    if offline:
        from agent.planner import OfflinePlanner

        model = OfflinePlanner()
    user = f"eval-{script.path.stem}-{uuid.uuid4().hex[:6]}"
    return ChatAgent(session=Session(user=user), model=model)


def _remove_added_tracks(user: str) -> list[str]:
    """Take out of the library what a script's user added to it.

    Scripts share the data directory; without this a track one script adds (say, a generated jazz piece) is
    what the next script's retrieval finds, so results would depend on which scripts ran before, and an
    evaluation would leave its pieces in the person's library.
    """
    from tools.library import open_library

    with open_library() as library:
        added = [t.id for t in library.list() if t.extra.get("added_by") == user]
        for track_id in added:
            library.remove(track_id)
    return added


def run_radio_turn(radio: Any, turn: Turn) -> TurnOutcome | None:
    """A turn for the radio, as the chat apps route it ("start a jazz station", "skip" while one plays, a
    playlist): its tool is "radio" or "playlist" and its audio the piece that starts or the playlist's files.
    None when the message is not for the radio."""
    from agent.radio_chat import is_radio_request

    song = str(turn.attach[0]) if turn.attach else None
    if not radio.wants(turn.user) or (song and not is_radio_request(turn.user)):
        return None
    start = time.perf_counter()
    outcome = TurnOutcome(user=turn.user, reply="", tools=[], latency_s=0.0, checks=[],
                          attachments=[str(a) for a in turn.attach])
    try:
        reply = radio.handle(turn.user, song=song)
    except TastemakerError as exc:  # a clear line for the person, as the chats show it
        outcome.reply, outcome.tool_errors = str(exc), [str(exc)]
    except Exception as exc:  # noqa: BLE001 (a bug fails this turn; the rest still runs)
        outcome.checks = [{"expectation": "no crash", "passed": False, "detail": f"{type(exc).__name__}: {exc}"}]
        return outcome
    else:
        outcome.reply = reply.text if reply is not None else ""
        outcome.tools = ["playlist" if reply is not None and reply.playlist is not None else "radio"]
        if reply is not None and reply.piece is not None:
            outcome.audio = [reply.piece.path]
            heard = reply.piece.genres or {}
            outcome.genres = [sorted(heard, key=lambda g: -heard[g])[:GENRE_TOP]] if heard else []
        if reply is not None and reply.playlist is not None:
            outcome.audio = [t.file for t in reply.playlist.tracks]
    outcome.latency_s = time.perf_counter() - start
    outcome.checks = check_turn(turn.expect, outcome)
    return outcome


def run_turn(agent: Any, turn: Turn) -> TurnOutcome:
    start = time.perf_counter()
    try:
        reply = agent.send(turn.user, attachments=[str(a) for a in turn.attach])
    except Exception as exc:  # noqa: BLE001 (any bug in the agent fails this turn; the rest still runs)
        outcome = TurnOutcome(user=turn.user, reply="", tools=[], latency_s=time.perf_counter() - start, checks=[],
                              attachments=[str(a) for a in turn.attach])
        outcome.checks = [{"expectation": "no crash", "passed": False, "detail": f"{type(exc).__name__}: {exc}"}]
        return outcome
    latency = time.perf_counter() - start
    results = tool_results(agent) if reply.tool_calls else []
    loop = None
    if any("target" in r and "matched" in r for _, r in results) and agent.session.last_loop is not None:
        best = agent.session.last_loop.best
        loop = {"matched": bool(agent.session.last_loop.matched), "jaccard": float(best.jaccard) if best else 0.0,
                "iterations": len({a.iteration for a in agent.session.last_loop.attempts}),
                "target": list(agent.session.last_loop.target)}
    outcome = TurnOutcome(
        user=turn.user, reply=reply.text, tools=reply.tools, latency_s=latency, checks=[],
        attachments=[str(a) for a in turn.attach], audio=[a.path for a in reply.audio],
        genres=genre_lists(results), tool_errors=[str(r["error"]) for _, r in results if "error" in r]
                                                + list(reply.attachment_errors), loop=loop)
    outcome.checks = check_turn(turn.expect, outcome)
    return outcome


def run_script(script: Script, offline: bool = False,
               on_turn: Callable[[Script, int, TurnOutcome], None] | None = None) -> dict[str, Any]:
    from agent.radio_chat import RadioChat

    agent = make_agent(script, offline)
    radio = RadioChat(user=agent.session.user)  # radio words go to the radio first, as in the chat apps
    turns = []
    try:
        for i, turn in enumerate(script.turns, start=1):
            made = len(agent.session.pieces)
            outcome = run_radio_turn(radio, turn) or run_turn(agent, turn)
            if len(agent.session.pieces) > made:  # as the chat apps tell it: 'this one', 'what is playing?' are
                radio.chat_made_a_piece()  # the chat's new piece now, not the radio's
            if on_turn:
                on_turn(script, i, outcome)
            turns.append(outcome.as_dict())
    finally:
        if radio.playing:
            radio.stop()
        _remove_added_tracks(agent.session.user)
    return {"name": script.name, "file": str(script.path), "description": script.description,
            "brain": agent.brain, "passed": all(t["passed"] for t in turns), "turns": turns}


def summarise(scripts: list[dict[str, Any]]) -> dict[str, Any]:
    turns = [t for s in scripts for t in s["turns"]]
    checks = [c for t in turns for c in t["checks"]]
    loops = [t["loop"] for t in turns if t["loop"]]
    n_pass = sum(c["passed"] for c in checks)
    return {
        "scripts": len(scripts),
        "passed": sum(s["passed"] for s in scripts),
        "expectations": len(checks),
        "expectations_passed": n_pass,
        "turns": len(turns),
        "turns_passed": sum(t["passed"] for t in turns),
        "pass_rate": n_pass / len(checks) if checks else 1.0,
        "script_pass_rate": sum(s["passed"] for s in scripts) / len(scripts) if scripts else 1.0,
        "loop_runs": len(loops),
        "loop_match_rate": sum(lp["matched"] for lp in loops) / len(loops) if loops else None,
        "mean_jaccard": sum(lp["jaccard"] for lp in loops) / len(loops) if loops else None,
        "mean_latency_s": sum(t["latency_s"] for t in turns) / len(turns) if turns else None,
        "brains": sorted({s["brain"] for s in scripts}),
    }


def run_scripts(paths: list[str | Path], offline: bool = False,
                on_turn: Callable[[Script, int, TurnOutcome], None] | None = None) -> dict[str, Any]:
    """Run every script (all are read and checked first, so a typo fails before minutes of work)."""
    if not paths:
        raise TastemakerError("Give at least one conversation script (e.g. conversations/*.yaml).")
    scripts = [load_script(p) for p in paths]
    ran = [run_script(s, offline, on_turn) for s in scripts]
    return {"scripts": ran, "summary": summarise(ran)}


# -- the report ----------------------------------------------------------------------------------------

def write_report(report: dict[str, Any], folder: str | Path) -> dict[str, Path]:
    """report.json, report.md (tables, audio links, chart) and latency.png in `folder`; audio copied to audio/.

    Files are written under temporary names and renamed, so a report is either whole or absent.
    """
    out = Path(folder)
    (out / "audio").mkdir(parents=True, exist_ok=True)
    links: dict[str, str] = {}
    for s in report["scripts"]:
        for i, t in enumerate(s["turns"], start=1):
            for path in t["audio"]:
                src = Path(path)
                if src.is_file() and path not in links:
                    name = f"{Path(s['file']).stem}-t{i}-{src.name}"
                    shutil.copyfile(src, out / "audio" / name)
                    links[path] = f"audio/{name}"
    chart = _latency_chart(report, out / "latency.png")
    files = {"json": out / "report.json", "markdown": out / "report.md", "chart": chart}
    _atomic_write(files["json"], json.dumps(report, indent=2, default=str))
    _atomic_write(files["markdown"], markdown(report, links, chart.name))
    return files


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _latency_chart(report: dict[str, Any], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels, values, colours = [], [], []
    for s in report["scripts"]:
        for i, t in enumerate(s["turns"], start=1):
            labels.append(f"{s['name'][:22]} #{i}" + ("" if t["passed"] else " (FAIL)"))  # visible even at 0 s
            values.append(t["latency_s"])
            colours.append("#00b894" if t["passed"] else "#d63031")
    fig, ax = plt.subplots(figsize=(7, 0.28 * len(labels) + 1.2))
    ax.barh(labels[::-1], values[::-1], color=colours[::-1])
    ax.set_xlabel("seconds per turn (green: passed, red: failed)")
    ax.tick_params(axis="y", labelsize=7)
    fig.tight_layout()
    tmp = path.with_name(f".{path.stem}.part.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    tmp.replace(path)
    return path


def _cell(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markdown(report: dict[str, Any], links: dict[str, str], chart: str) -> str:
    s = report["summary"]

    def fmt(value: float | None, spec: str) -> str:
        return "n/a" if value is None else format(value, spec)

    lines = [
        "# Scripted conversations", "",
        (f"Brain: {', '.join(s['brains'])}. Scripts passed: **{s['passed']} of {s['scripts']}**; expectations "
         f"passed: **{s['expectations_passed']} of {s['expectations']}** ({fmt(s['pass_rate'], '.0%')}); turns "
         f"passed: {s['turns_passed']} of {s['turns']}."), "",
        (f"Classifier loop: {s['loop_runs']} run(s), match rate {fmt(s['loop_match_rate'], '.0%')}, mean Jaccard "
         f"{fmt(s['mean_jaccard'], '.2f')}. Mean latency {fmt(s['mean_latency_s'], '.2f')} s per turn."), "",
        f"![latency per turn]({chart})", "",
    ]
    for script in report["scripts"]:
        lines += [f"## {'✅' if script['passed'] else '❌'} {script['name']} (`{script['file']}`)", ""]
        if script["description"]:
            lines += [script["description"], ""]
        lines += ["| # | user | tools | latency | result | reply | audio |", "|---|---|---|---|---|---|---|"]
        for i, t in enumerate(script["turns"], start=1):
            result = "pass" if t["passed"] else "FAIL: " + "; ".join(t["failures"])
            audio = " ".join(f"[{Path(p).name}]({links[p]})" for p in t["audio"] if p in links)
            user = t["user"] + (f" (+{len(t['attachments'])} file)" if t["attachments"] else "")
            lines.append(f"| {i} | {_cell(user, 80)} | {', '.join(t['tools']) or '-'} | {t['latency_s']:.2f} s | "
                         f"{_cell(result, 200)} | {_cell(t['reply'])} | {audio or '-'} |")
        lines.append("")
    return "\n".join(lines)
