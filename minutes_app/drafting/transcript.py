"""Transcript lines for the prompt, and chunking to the model's context window."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..base.types import Segment

UNKNOWN_SPEAKER = "Unbekannt"


def speaker_label(seg: Segment, speakers: dict[str, str]) -> str:
    if seg.speaker is None:
        return UNKNOWN_SPEAKER
    return speakers.get(seg.speaker) or seg.speaker


# What could end the data part of a prompt: the fence (<<<TRANSKRIPT … TRANSKRIPT>>>), the chat
# template's role markers (Qwen/Llama "<|im_start|>", "<|eot_id|>", Mistral "[INST]", "</s>"), which
# the tokenizer turns into real special tokens, and line breaks (a line "## system" or "### system").
_FENCE = re.compile(r"<{3,}|>{3,}")
_CHAT_MARKUP = re.compile(r"<\||\|>|</?s>|\[/?INST\]", re.IGNORECASE)
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def _quiet(m: re.Match[str]) -> str:
    return m.group().replace("<", "‹").replace(">", "›").replace("[", "(").replace("]", ")")


def sanitize(text: str) -> str:
    """Transcript text (and titles, names) cannot close the prompt's fence or start a new message.

    Runs of ``<``/``>``, chat-template markers and line breaks are neutralised; the words stay
    readable for the model ("TRANSKRIPT›››", "‹|im_start|›system").
    """
    text = _FENCE.sub(_quiet, text)
    text = _CHAT_MARKUP.sub(_quiet, text)
    return _BREAKS.sub(" ", text)


def format_lines(segments: list[Segment], speakers: dict[str, str]) -> list[str]:
    return [f"[{s.id}] {sanitize(speaker_label(s, speakers))}: {sanitize(s.text.strip())}" for s in segments]


def _split_long(line: str, budget: int, count: Callable[[str], int]) -> list[str]:
    """Split one over-long line at sentence (then word) boundaries; keep its "[id] name:" prefix."""
    m = re.match(r"(\[\d+\] [^:]*: )(.*)", line)
    prefix, body = (m.group(1), m.group(2)) if m else ("", line)
    pieces: list[str] = []
    current = ""
    units = re.findall(r"[^.!?]+[.!?]*\s*", body) or [body]
    words: list[str] = []
    for unit in units:
        words.extend([unit] if count(prefix + unit) <= budget else unit.split(" "))
    for w in words:
        cand = (current + (" " if current and not current.endswith(" ") else "") + w) if current else w
        if current and count(prefix + cand) > budget:
            pieces.append(prefix + current.strip())
            current = w
        else:
            current = cand
    if current.strip():
        pieces.append(prefix + current.strip())
    return pieces


def chunk_lines(lines: list[str], budget: int, count: Callable[[str], int]) -> list[list[str]]:
    """Greedy packing of whole lines into chunks of at most ``budget`` tokens (nothing dropped)."""
    chunks: list[list[str]] = [[]]
    used = 0
    for line in lines:
        n = count(line) + 1
        parts = [line] if n <= budget else _split_long(line, budget - 1, count)
        for part in parts:
            n = count(part) + 1
            if chunks[-1] and used + n > budget:
                chunks.append([])
                used = 0
            chunks[-1].append(part)
            used += n
    return [c for c in chunks if c]
