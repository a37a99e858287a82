"""German number words <-> integers, and finding numbers in transcript text.

Whisper writes small numbers as words ("zwei Enthaltungen") or digits ("2
Enthaltungen"), larger ones usually as digits. Covers 0..999, which is more
than any council vote needs.
"""

from __future__ import annotations

import re

_UNITS = {
    "null": 0,
    "kein": 0,
    "keine": 0,
    "keiner": 0,
    "keinen": 0,
    "ein": 1,
    "eins": 1,
    "eine": 1,
    "einer": 1,
    "einen": 1,
    "einem": 1,
    "zwei": 2,
    "zwo": 2,
    "drei": 3,
    "vier": 4,
    "fünf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "neun": 9,
    "zehn": 10,
    "elf": 11,
    "zwölf": 12,
    "dreizehn": 13,
    "vierzehn": 14,
    "fünfzehn": 15,
    "sechzehn": 16,
    "siebzehn": 17,
    "achtzehn": 18,
    "neunzehn": 19,
}
_TENS = {
    "zwanzig": 20,
    "dreißig": 30,
    "dreissig": 30,
    "vierzig": 40,
    "fünfzig": 50,
    "sechzig": 60,
    "siebzig": 70,
    "achtzig": 80,
    "neunzig": 90,
}
# unit prefixes inside compounds ("einundzwanzig", "siebenundachtzig")
_COMPOUND_UNITS = {
    "ein": 1,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "fünf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "neun": 9,
}
_WORDS = {
    0: "null",
    1: "eins",
    2: "zwei",
    3: "drei",
    4: "vier",
    5: "fünf",
    6: "sechs",
    7: "sieben",
    8: "acht",
    9: "neun",
    10: "zehn",
    11: "elf",
    12: "zwölf",
    16: "sechzehn",
    17: "siebzehn",
}

# Words that are numbers only in some contexts ("eine Mehrheit", "keine Wortmeldungen").
AMBIGUOUS = frozenset({"kein", "keine", "keiner", "keinen", "ein", "eine", "einer", "einen", "einem"})


def _below_100(word: str) -> int | None:
    if word in _UNITS:
        return _UNITS[word]
    if word in _TENS:
        return _TENS[word]
    if "und" in word:
        unit, _, tens = word.partition("und")
        if unit in _COMPOUND_UNITS and tens in _TENS:
            return _COMPOUND_UNITS[unit] + _TENS[tens]
    return None


def parse_number_word(word: str) -> int | None:
    """``"zweiundzwanzig"`` -> 22, ``"5"`` -> 5, anything else -> None."""
    w = word.strip().lower()
    if not w:
        return None
    if w.isdigit():
        return int(w) if len(w) <= 6 else None
    if "hundert" in w:
        head, _, tail = w.partition("hundert")
        hundreds = 1 if head in ("", "ein", "eins") else _COMPOUND_UNITS.get(head)
        if hundreds is None:
            return None
        if not tail:
            return hundreds * 100
        tail = tail[3:] if tail.startswith("und") else tail
        rest = _below_100(tail)
        return None if rest is None else hundreds * 100 + rest
    return _below_100(w)


def number_to_word(n: int) -> str:
    """Best-effort German word for ``n`` (0..999); digits for anything else."""
    if n in _WORDS:
        return _WORDS[n]
    if 13 <= n <= 19:
        return _WORDS[n - 10] + "zehn"
    if 20 <= n < 100:
        tens = {v: k for k, v in _TENS.items() if k != "dreissig"}[n - n % 10]
        unit = n % 10
        if unit == 0:
            return tens
        return ("ein" if unit == 1 else _WORDS[unit]) + "und" + tens
    if 100 <= n < 1000:
        head = "ein" if n // 100 == 1 else _WORDS[n // 100]
        rest = n % 100
        return head + "hundert" + (number_to_word(rest) if rest else "")
    return str(n)


_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+", re.UNICODE)


def numbers_in_text(text: str, include_ambiguous: bool = True) -> set[int]:
    """All integers written in ``text`` as digits or German number words.

    ``35.000`` counts as 35000 (German thousands separator); ``2015/16`` as 2015 and 16.
    """
    found: set[int] = set()
    for tok in _TOKEN.findall(text):
        if tok[0].isdigit():
            if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", tok):
                found.add(int(tok.replace(".", "")))
                continue
            for part in re.split(r"[.,]", tok):
                if part.isdigit() and len(part) <= 9:
                    found.add(int(part))
            continue
        low = tok.lower()
        if not include_ambiguous and low in AMBIGUOUS:
            continue
        value = parse_number_word(low)
        if value is not None:
            found.add(value)
    return found
