"""Hesitations out of spoken German, by exact rules (for the Wortprotokoll).

``clean_spoken`` removes

- hesitation sounds: „äh“, „ähm“, „öh“, „hm“, „mhm“ … (with the commas around them);
- false starts: a broken-off word fragment before the word it starts („Ver- Verwaltung“);
- stuttered repeats of one to three words („die die“, „also also“, „wir haben wir haben“),
  the restart is kept.

Kept on purpose (the repetition carries meaning, and the published Karlsruhe minutes keep
such emphasis: „moderat, wirklich moderat“):

- intensifying repeats of ``EMPHATIC`` words („sehr, sehr wichtig“, „nein, nein“,
  „ganz, ganz“, „lange, lange“);
- „X und X“ („aussetzen und aussetzen und …“, „immer und immer wieder“);
- a relative pronoun after its article („die Kinder, die die Horte besuchen“): a comma
  before the first „die“ makes it grammar, not a stutter;
- a word repeated across a sentence end („… stimmen zu. Zu den Kosten …“);
- suspended compounds („Erst- und Zweitkinder“): the fragment does not start the next word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Hesitation sounds (never words of the minutes). Not "eh" ("das ist eh klar") nor "ja".
_FILLER = re.compile(
    r"(?P<before>,\s*)?(?<![\w-])(?:ä+h+m*|ä+m+|ö+h+m*|hm+|h+m+|mhm|m-hm|ähem|öhm)(?![\w-])(?P<after>,)?",
    re.IGNORECASE,
)
EMPHATIC = frozenset(
    {"sehr", "ganz", "viel", "viele", "vielen", "immer", "lange", "nein", "danke", "gut", "weit", "oft"}
    | {"mehr", "schnell", "bitte", "gerne", "klein"}  # „Klein-Klein“
    | {"zu"}  # „zu zustimmen“: the ASR's split of „zuzustimmen“, no stutter
)
_D_WORDS = frozenset(["der", "die", "das", "den", "dem", "des"])
_WORD = re.compile(r"[\wÄÖÜäöüß]+(?:-[\wÄÖÜäöüß]+)*", re.IGNORECASE)
_FRAGMENT = re.compile(r"^([\wÄÖÜäöüß]+)(?:-|–|…|\.\.\.)$")


@dataclass
class Cleaned:
    text: str
    fillers: int = 0  # „äh“, „ähm“ …
    repeats: int = 0  # words of stuttered repeats dropped
    false_starts: int = 0  # broken-off fragments dropped

    @property
    def removed(self) -> int:
        return self.fillers + self.repeats + self.false_starts


def _core(token: str) -> str:
    m = _WORD.search(token)
    return m.group().lower() if m else ""


def _ends_clause(token: str) -> bool:
    """A sentence end (or colon/semicolon) after this token: no stutter across it."""
    return bool(re.search(r"[.!?:;]$", token))


def _is_repeat(tokens: list[str], i: int, n: int) -> bool:
    """``tokens[i:i+n]`` is said again right after (only a comma may stand between)."""
    if i + 2 * n > len(tokens):
        return False
    first, second = tokens[i : i + n], tokens[i + n : i + 2 * n]
    if not all(_core(a) and _core(a) == _core(b) for a, b in zip(first, second, strict=True)):
        return False
    if any(_ends_clause(t) for t in first):
        return False
    if any(re.search(r",$", t) for t in first[:-1]):
        return False
    if n > 1 and _core(first[-1]) in ("und", "oder"):
        return False  # „aussetzen und aussetzen“, „immer und immer“: a figure of speech
    if n > 1 and _core(first[0]) in ("und", "oder") and i > 0 and _core(tokens[i - 1]) == _core(first[-1]):
        return False  # „… aussetzen und aussetzen und aussetzen“
    if n == 1:
        word = _core(first[0])
        if word in EMPHATIC:
            return False
        if word in _D_WORDS and i > 0 and tokens[i - 1].endswith(","):
            return False  # ", die die …": relative pronoun + article
    return True


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def clean_spoken(text: str) -> Cleaned:
    """``text`` without hesitation sounds, false starts and stuttered repeats, with the counts."""
    out = Cleaned("")
    # ", äh, " between two clauses keeps one comma ("Wir stimmen zu, äh, das ist gut").
    text, out.fillers = _FILLER.subn(lambda m: ", " if m.group("before") and m.group("after") else " ", text)
    tokens = text.split()
    kept: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        frag = _FRAGMENT.match(token)
        if frag and i + 1 < len(tokens):
            nxt = _core(tokens[i + 1])
            stem = frag.group(1).lower()
            if nxt.startswith(stem):
                out.false_starts += 1
                i += 1
                continue
        for n in (3, 2, 1):
            if _is_repeat(tokens, i, n):
                starts_sentence = not kept or _ends_clause(kept[-1])
                out.repeats += n
                i += n
                if starts_sentence:
                    tokens[i] = _upper_first(tokens[i])
                break
        else:
            kept.append(token)
            i += 1
    text = " ".join(kept)
    text = re.sub(r"\s+([,.!?;:])", r"\1", text)
    text = re.sub(r",\s*([.!?])", r"\1", text)  # "zu, hm." -> "zu."
    text = re.sub(r"(?<!\.)\.\.(?!\.)|(?<=[!?])[.,]+", ".", text).replace("!.", "!").replace("?.", "?")
    text = re.sub(r"^[,.\s]+", "", text)
    text = re.sub(r"([.!?])\s*,\s*", r"\1 ", text)
    text = re.sub(r"((?<!\.\.)[.!?]\s+)([a-zäöü])", lambda m: m.group(1) + m.group(2).upper(), text)
    out.text = _upper_first(re.sub(r"\s{2,}", " ", text).strip())
    return out
