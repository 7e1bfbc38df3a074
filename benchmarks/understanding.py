"""How well Tastemaker understands people: intent accuracy, slot F1 and the per-intent confusion of the
language layer (tools.language.understand) over utterances written as people type them.

    PYTHONPATH=. python benchmarks/understanding.py            # dev and held-out figures
    PYTHONPATH=. python benchmarks/understanding.py --errors   # and every utterance it got wrong (dev only)
    PYTHONPATH=. python benchmarks/understanding.py --json

Data: benchmarks/data/understanding_dev.yaml (the parser is tuned on it) and understanding_heldout.yaml
(written before any tuning and never tuned on). Each utterance has an intent and slots; a slot is a
(name, value) pair, e.g. (genres, jazz), (less, drums), (tempo, 120), (key, D), and slot F1 is the micro F1
over those pairs. Targets: intent accuracy >= 95%, slot F1 >= 0.90.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"
SETS = {"dev": DATA / "understanding_dev.yaml", "held-out": DATA / "understanding_heldout.yaml"}


def gold_pairs(slots: dict) -> set[tuple[str, str]]:
    out = set()
    for name, value in (slots or {}).items():
        for v in value if isinstance(value, list) else [value]:
            out.add((name, f"{v:g}" if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)))
    return out


def predicted_pairs(reading) -> set[tuple[str, str]]:
    pairs = reading.slots.pairs()
    if reading.intent != "feedback":
        pairs = {p for p in pairs if p[0] != "liked"}  # 'I really like this piece, what is it?' asks, not rates
    return pairs


def evaluate(path: Path) -> dict:
    from tools.language import understand

    items = yaml.safe_load(path.read_text(encoding="utf-8"))["utterances"]
    confusion: Counter = Counter()
    tp = fp = fn = 0
    errors = []
    start = time.perf_counter()
    for item in items:
        reading = understand(item["text"])
        gold, got = gold_pairs(item.get("slots")), predicted_pairs(reading)
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
        confusion[(item["intent"], reading.intent)] += 1
        if reading.intent != item["intent"] or gold != got:
            errors.append({"text": item["text"], "intent": item["intent"], "got": reading.intent,
                           "via": reading.via, "missing": sorted(gold - got), "extra": sorted(got - gold)})
    seconds = time.perf_counter() - start
    correct = sum(n for (want, got), n in confusion.items() if want == got)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    intents = sorted({w for w, _ in confusion} | {g for _, g in confusion})
    return {
        "utterances": len(items), "intent_accuracy": correct / len(items),
        "slot_precision": precision, "slot_recall": recall,
        "slot_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "per_intent": {i: {"n": sum(n for (w, _), n in confusion.items() if w == i),
                           "correct": confusion[(i, i)],
                           "confused_with": {g: n for (w, g), n in confusion.items() if w == i and g != i}}
                       for i in intents},
        "ms_per_utterance": 1000 * seconds / len(items),
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--errors", action="store_true", help="list the dev utterances it got wrong")
    args = parser.parse_args(argv)
    from tools.language import understand

    understand("warm up the text model")  # its first load (seconds) is not a per-utterance cost
    results = {name: evaluate(path) for name, path in SETS.items()}
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for name, r in results.items():
        print(f"{name}: {r['utterances']} utterances; intent accuracy {r['intent_accuracy']:.1%}; slot F1 "
              f"{r['slot_f1']:.3f} (precision {r['slot_precision']:.3f}, recall {r['slot_recall']:.3f}); "
              f"{r['ms_per_utterance']:.1f} ms per utterance")
        for intent, row in r["per_intent"].items():
            confused = ", ".join(f"{g} {n}" for g, n in sorted(row["confused_with"].items(), key=lambda kv: -kv[1]))
            print(f"  {intent:<15} {row['correct']:>3}/{row['n']:<3} {('-> ' + confused) if confused else ''}")
    if args.errors:
        print("\ndev errors:")
        for e in results["dev"]["errors"]:
            print(f"  [{e['intent']} -> {e['got']} via {e['via']}] {e['text']!r} missing {e['missing']} "
                  f"extra {e['extra']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
