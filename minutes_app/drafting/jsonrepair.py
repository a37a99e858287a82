"""Lenient extraction of the first JSON object from LLM output.

Small models wrap JSON in prose or code fences, cut it off at the token limit,
use typographic or single quotes, forget escapes, leave trailing commas or write
Python literals. ``parse_llm_json`` handles all of that and either returns a
``dict`` or raises ``LLMOutputError``; it never raises anything else.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 40

_OPEN_QUOTES = {'"': '"', "'": "'", "“": "”", "„": "“", "”": "”"}
_LITERALS = {"true": True, "false": False, "null": None, "True": True, "False": False, "None": None}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


class LLMOutputError(ValueError):
    """The model output holds no usable JSON object."""


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.truncated = False

    # -- helpers -----------------------------------------------------------------
    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def skip_ws(self) -> None:
        while self.i < len(self.s) and (self.s[self.i].isspace() or self.s[self.i] == "\ufeff"):
            self.i += 1
        # comments (// ... or /* ... */) occasionally appear
        if self.s.startswith("//", self.i):
            end = self.s.find("\n", self.i)
            self.i = len(self.s) if end < 0 else end
            self.skip_ws()
        elif self.s.startswith("/*", self.i):
            end = self.s.find("*/", self.i + 2)
            self.i = len(self.s) if end < 0 else end + 2
            self.skip_ws()

    # -- grammar -----------------------------------------------------------------
    def value(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise LLMOutputError("JSON zu tief verschachtelt")
        self.skip_ws()
        c = self.peek()
        if not c:
            self.truncated = True
            return None
        if c == "{":
            return self.obj(depth + 1)
        if c == "[":
            return self.arr(depth + 1)
        if c in _OPEN_QUOTES:
            return self.string()
        m = _NUMBER.match(self.s, self.i)
        if m and not self._word_follows(m.end()):
            self.i = m.end()
            txt = m.group()
            try:
                return float(txt) if any(ch in txt for ch in ".eE") else int(txt)
            except (ValueError, OverflowError):
                return None
        return self.bare()

    def _word_follows(self, pos: int) -> bool:
        return pos < len(self.s) and (self.s[pos].isalpha() or self.s[pos] == "_")

    def bare(self) -> Any:
        """Unquoted word(s) up to a structural character: literal or text."""
        start = self.i
        while self.i < len(self.s) and self.s[self.i] not in ",:}]\n":
            self.i += 1
        word = self.s[start : self.i].strip()
        if not word and self.i < len(self.s) and self.s[self.i] in ",:}]" and self.i == start:
            return None
        return _LITERALS.get(word, word)

    def string(self) -> str:
        quote = self.s[self.i]
        close = _OPEN_QUOTES[quote]
        self.i += 1
        out: list[str] = []
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == "\\" and quote in "\"'":
                nxt = self.s[self.i + 1 : self.i + 2]
                if not nxt:
                    self.i += 1
                    break
                if nxt == "u":
                    hexpart = self.s[self.i + 2 : self.i + 6]
                    if re.fullmatch(r"[0-9a-fA-F]{4}", hexpart):
                        out.append(chr(int(hexpart, 16)))
                        self.i += 6
                        continue
                out.append({"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(nxt, nxt))
                self.i += 2
                continue
            if (c == close or (quote == '"' and c == "”")) and self._closes_here(self.i + 1):
                self.i += 1
                return "".join(out)
            out.append(c)
            self.i += 1
        self.truncated = True
        return "".join(out)

    def _closes_here(self, pos: int) -> bool:
        """A quote ends the string only where JSON structure can follow it."""
        while pos < len(self.s) and self.s[pos] in " \t\r":
            pos += 1
        if pos >= len(self.s):
            return True
        return self.s[pos] in ",:}]\n"

    def obj(self, depth: int) -> dict[str, Any]:
        self.i += 1
        result: dict[str, Any] = {}
        while True:
            self.skip_ws()
            c = self.peek()
            if not c:
                self.truncated = True
                return result
            if c == "}":
                self.i += 1
                return result
            if c == ",":
                self.i += 1
                continue
            if c == "]":  # mismatched bracket: treat as end of object
                self.i += 1
                return result
            key = self.string() if c in _OPEN_QUOTES else self.bare()
            self.skip_ws()
            if self.peek() == ":":
                self.i += 1
            elif not self.peek():
                self.truncated = True
                return result  # dangling key at the end: dropped
            else:
                # key without colon; skip it
                if self.i < len(self.s) and self.peek() not in ",}":
                    self.i += 1
                continue
            self.skip_ws()
            if not self.peek():
                self.truncated = True
                return result
            val = self.value(depth)
            result[str(key) if key is not None else ""] = val

    def arr(self, depth: int) -> list[Any]:
        self.i += 1
        result: list[Any] = []
        while True:
            self.skip_ws()
            c = self.peek()
            if not c:
                self.truncated = True
                return result
            if c == "]":
                self.i += 1
                return result
            if c == ",":
                self.i += 1
                continue
            if c == "}":
                self.i += 1
                return result
            before = self.i
            result.append(self.value(depth))
            if self.i == before:  # no progress: skip one character
                self.i += 1


def _strip_fences(text: str) -> str:
    m = re.search(r"```(?:json|JSON)?\s*\n?(.*?)(?:```|$)", text, re.DOTALL)
    return m.group(1) if m and "{" in m.group(1) else text


def parse_llm_json(text: object) -> tuple[dict[str, Any], bool]:
    """Return ``(first JSON object, repaired)``; ``repaired`` is True if it needed fixing.

    Raises ``LLMOutputError`` (only) if no object can be recovered.
    """
    if not isinstance(text, str):
        raise LLMOutputError("Ausgabe ist kein Text")
    body = _strip_fences(text)
    start = body.find("{")
    if start < 0:
        raise LLMOutputError("keine JSON-Struktur in der Ausgabe")
    # fast path: a valid object starting at the first brace
    try:
        obj, _ = json.JSONDecoder().raw_decode(body, start)
        if isinstance(obj, dict):
            return obj, False
    except (ValueError, RecursionError):
        pass
    parser = _Parser(body)
    parser.i = start
    try:
        obj = parser.value(0)
    except RecursionError as exc:
        raise LLMOutputError("JSON zu tief verschachtelt") from exc
    if not isinstance(obj, dict):
        raise LLMOutputError("keine JSON-Struktur in der Ausgabe")
    return obj, True
