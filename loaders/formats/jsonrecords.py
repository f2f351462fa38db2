"""JSON records as vendors deliver them: one per line, an array, or objects written back to back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loaders.formats.base import FormatError, open_text

_DECODER = json.JSONDecoder()
_SKIP = " \t\r\n,[]"


def records(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line, record, None) for each object, or (line, None, reason) where the JSON is broken; after a
    broken record reading resumes at the next line that starts an object, so one bad record loses no others."""
    try:
        with open_text(path) as fh:
            text = fh.read()
    except UnicodeDecodeError:
        raise FormatError(f"{path.name}: not UTF-8 text; save the file as UTF-8") from None
    except (OSError, EOFError) as err:
        raise FormatError(f"{path.name}: unreadable or truncated ({err})") from None
    pos, n = 0, len(text)
    line, counted = 1, 0  # lines are counted on from the last record, not from the start each time
    while True:
        while pos < n and text[pos] in _SKIP:
            pos += 1
        if pos >= n:
            return
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as err:
            yield line, None, f"broken JSON ({err.msg}); the record is truncated or malformed"
            nxt = text.find("\n{", pos + 1)
            if nxt < 0:
                return
            pos = nxt + 1
            continue
        if isinstance(value, dict):
            yield line, value, None
        else:
            yield line, None, "not a JSON object"
        pos = end


def dig(record: dict[str, Any], *keys: str) -> Any:
    """record[k1][k2]… or None when any level is missing (vendors leave out empty parts)."""
    value: Any = record
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def top_level_keys(text: str) -> set[str]:
    """The keys of the first JSON object in `text` at its own top level (not those of objects nested in it),
    read even when the text stops part-way through the record (detection sees only a file's first bytes)."""
    start = text.find("{")
    if start < 0:
        return set()
    keys: set[str] = set()
    depth, i, n = 0, start, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            end = i + 1
            while end < n and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if depth == 1 and text[end + 1:end + 40].lstrip().startswith(":"):
                keys.add(text[i + 1:end])
            i = end + 1
            continue
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                break
        i += 1
    return keys
