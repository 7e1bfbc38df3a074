"""The project's own dataclasses as JSON and back, by an allow-list: a kept chat's pieces (agent.chat_store) and a
saved piece's record in the library (agent.actions), so that neither file can ever make the app run code."""

from __future__ import annotations

import dataclasses
from typing import Any

from agent.compose import LoopRequest
from tools.contracts import Generation, Style, Tags, TasteProfile
from tools.errors import TastemakerError
from tools.generate.request import GenerationRequest

KNOWN = {cls.__name__: cls for cls in (Generation, Style, Tags, TasteProfile, GenerationRequest, LoopRequest)}


def encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if type(value).__name__ not in KNOWN:
            raise TypeError(f"{type(value).__name__} is not kept")
        data = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not (type(value) is Tags and f.name == "taggram")}  # the taggram is large and not needed
        return {"__kind__": type(value).__name__, **data}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        kind = value.get("__kind__")
        fields = {k: decode(v) for k, v in value.items() if k != "__kind__"}
        if kind is None:
            return fields
        cls = KNOWN.get(kind)
        if cls is None:
            raise TastemakerError("This kept chat holds something I do not know; it cannot be reopened.")
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in fields.items() if k in names})
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
