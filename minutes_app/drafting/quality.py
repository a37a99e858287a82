"""Measures of a drafted Beratung against its transcript (used by the checks and the benchmark).

- ``verbatim_share``: share of the text's word 6-grams found in the source;
- ``reported_share``: share of sentences in reported speech (Konjunktiv I or a reporting verb);
- ``invented``: names (capitalised words that are no common German word) and numbers of the
  text that occur neither in the source nor in the known names (roster, agenda);
- ``key_terms`` / ``coverage``: the rarest nouns and the numbers of a contribution, and how
  many of them the summary keeps;
- ``RAW_ID``: a diarization id ("SPEAKER_03") that must never reach the reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .numbers import numbers_in_text

RAW_ID = re.compile(r"\bSPEAKER_\d+\b|\bSPRECHER_\d+\b", re.IGNORECASE)
_WORD = re.compile(r"[\wÄÖÜäöüß]+(?:-[\wÄÖÜäöüß]+)*")
_SENT = re.compile(r"(?:[^.!?]|\.(?=\d)|(?<=\b[A-Z])\.|(?<=\bDr)\.|(?<=\bProf)\.|(?<=\bNr)\.)+[.!?]*")

REPORTING_VERBS = (
    "erklärt|erklärte|fragt|fragte|betont|betonte|weist|wies|kritisiert|kritisierte|begrüßt|begrüßte|"
    "berichtet|berichtete|erläutert|erläuterte|führt|führte|stellt|stellte|schlägt|schlug|bittet|bat|"
    "spricht|sprach|hält|hielt|sieht|sah|lehnt|lehnte|unterstützt|unterstützte|fordert|forderte|"
    "beantragt|beantragte|ergänzt|ergänzte|entgegnet|entgegnete|widerspricht|widersprach|"
    "antwortet|antwortete|teilt|teilte|informiert|informierte|macht|machte|verweist|verwies|"
    "bemängelt|bemängelte|bezweifelt|bezweifelte|regt|regte|kündigt|kündigte|sagt|sagte|"
    "meint|meinte|gibt|gab|stimmt|stimmte|befürwortet|befürwortete|bedankt|bedankte|ruft|rief|"
    "schließt|schloss|lässt|ließ|stellt fest|merkt|merkte|mahnt|mahnte|warnt|warnte|wünscht|wünschte|"
    "bekräftigt|bekräftigte|hebt|hob|äußert|äußerte|zeigt|zeigte|bestätigt|bestätigte|verweist|"
    "kündigt|appelliert|appellierte|moniert|monierte|nennt|nannte|beschreibt|beschrieb|"
    "befürchtet|befürchtete|hofft|hoffte|bezeichnet|bezeichnete|plädiert|plädierte|"
    "empfiehlt|empfahl|vertritt|vertrat|argumentiert|argumentierte|zufolge|nach\\s+ansicht|laut"
)
_REPORTING = re.compile(rf"\b(?:{REPORTING_VERBS})\b", re.IGNORECASE)
# Konjunktiv I (and the Konjunktiv II that stands in for it) forms that are not also indicative.
KONJ_FORM = re.compile(
    r"\b(?:sei|seien|seiest|habe|hätte|hätten|werde|würde|würden|könne|könnte|könnten|müsse|müsste|"
    r"müssten|solle|sollte|sollten|wolle|wollte|dürfe|dürfte|dürften|wisse|gebe|gäbe|stehe|gehe|"
    r"liege|bleibe|komme|brauche|fehle|trage|halte|sehe|lehne|unterstütze|begrüße|fordere|stimme|"
    r"bitte|mache|zeige|handle|bedeute|betrage|koste|erfolge|führe|befürworte|gelte|diene|passe|"
    r"reiche|lohne|ermögliche|wäre|wären)\b",
    re.IGNORECASE,
)
# Name candidates: a capitalised word after a title or form of address ("Herr Schulze",
# "Stadträtin Meier-Augenstein"), a party abbreviation ("SPD", "AfD") or a word in
# parentheses ("(GRÜNE)"). Plain German nouns are no names (a summary may paraphrase).
_TITLE = (
    r"(?:Herrn?|Frau|Dr\.|Prof\.|Stadtr(?:at|ätin)|Ratsherrn?|Ratsfrau|Ratsmitglied|Bürgermeister(?:in)?|"
    r"Oberbürgermeister(?:in)?|Kolleg(?:e|in|en)|Beigeordnete[rn]?)"
)
_NAME_CAND = re.compile(
    rf"\b{_TITLE}\s+(?:(?:Dr\.|Prof\.)\s+)?(?P<titled>[A-ZÄÖÜ][\wäöüßÄÖÜ'’]+(?:-[A-ZÄÖÜ][\wäöüß]+)*)"
    r"|(?<![\wÄÖÜäöüß-])(?P<abbr>[A-ZÄÖÜ][A-Za-zÄÖÜäöü]*[A-ZÄÖÜ][A-Za-zÄÖÜäöü]*)(?![\wäöüß-])"
    r"|\((?P<paren>[A-ZÄÖÜ][\wäöüßÄÖÜ|/ -]*)\)"
    r"|\bFraktion\s+(?:der\s+|des\s+|von\s+)?(?P<group>[A-ZÄÖÜ][\wäöüß]+(?:\s+[A-ZÄÖÜ][\wäöüß]+)?)"
)
_CAPITAL = re.compile(r"(?<![\wÄÖÜäöüß-])[A-ZÄÖÜ][\wäöüßÄÖÜ]+(?:-[A-ZÄÖÜ][\wäöüß]+)*")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.findall(text) if len(_WORD.findall(s)) >= 3]


def ngrams(tokens: list[str], n: int = 6) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def verbatim_share(text: str, source: str, n: int = 6) -> float:
    """Share of the word ``n``-grams of ``text`` that occur in ``source`` (0 for a short text)."""
    mine = [tuple(words(text)[i : i + n]) for i in range(len(words(text)) - n + 1)]
    if not mine:
        return 0.0
    theirs = ngrams(words(source), n)
    return sum(1 for g in mine if g in theirs) / len(mine)


def is_reported(sentence: str) -> bool:
    """A sentence of reported speech: a reporting verb or a Konjunktiv form."""
    return bool(_REPORTING.search(sentence) or KONJ_FORM.search(sentence))


def reported_share(text: str) -> float:
    sents = sentences(text)
    if not sents:
        return 0.0
    return sum(1 for s in sents if is_reported(s)) / len(sents)


def _known_words(texts: Iterable[str]) -> set[str]:
    known: set[str] = set()
    for t in texts:
        for w in words(t):
            known.add(w)
            known.update(w.split("-"))
    return known


def invented(text: str, sources: Iterable[str], common: Iterable[str] = ()) -> list[str]:
    """Names and numbers of ``text`` found nowhere in ``sources`` (transcript, roster, agenda).

    Name candidates (``_NAME_CAND``) count unless they occur in the sources (any case) or in
    ``common`` (words the prompt itself uses).
    """
    src = list(sources)
    known = _known_words([*src, *common])
    out: list[str] = []
    for m in _NAME_CAND.finditer(text):
        word = next((g for g in m.groups() if g), "").strip()
        if m.group("group") and _looks_like_noun(word.split()[0]):
            continue  # "die Fraktion Unterstützung signalisiert": a noun, no party name
        parts = [p for p in re.split(r"[\s|/-]+", word.lower()) if p]
        if word.lower() in known or all(p in known for p in parts):
            continue
        out.append(word)
    spoken: set[int] = set()
    for s in src:
        spoken |= numbers_in_text(s)
    out += [str(n) for n in sorted(numbers_in_text(text, include_ambiguous=False) - spoken)]
    return list(dict.fromkeys(out))


_NOUN_ENDINGS = (
    "ung",
    "heit",
    "keit",
    "schaft",
    "tion",
    "tät",
    "nis",
    "ismus",
    "ment",
    "tum",
    "ling",
    "ei",
    "anz",
    "enz",
    "ur",
    "ik",
)


def _looks_like_noun(word: str) -> bool:
    """German common nouns by their endings (a name seldom ends so); compounds included."""
    w = word.lower()
    return len(w) > 5 and w.endswith(_NOUN_ENDINGS + tuple(e + "en" for e in _NOUN_ENDINGS))


_STOP = set(
    [
        "aber",
        "alle",
        "allem",
        "allen",
        "aller",
        "alles",
        "also",
        "auch",
        "auf",
        "aus",
        "bei",
        "beim",
        "bis",
        "da",
        "dann",
        "das",
        "dass",
        "dem",
        "den",
        "der",
        "des",
        "die",
        "diese",
        "diesem",
        "diesen",
        "dieser",
        "dieses",
        "doch",
        "durch",
        "ein",
        "eine",
        "einem",
        "einen",
        "einer",
        "eines",
        "er",
        "es",
        "für",
        "hat",
        "haben",
        "ich",
        "ihr",
        "im",
        "in",
        "ist",
        "ja",
        "jetzt",
        "kann",
        "man",
        "mit",
        "nach",
        "nicht",
        "noch",
        "nur",
        "oder",
        "schon",
        "sehr",
        "sich",
        "sie",
        "sind",
        "so",
        "und",
        "uns",
        "unsere",
        "unser",
        "vom",
        "von",
        "vor",
        "war",
        "was",
        "weil",
        "wenn",
        "wer",
        "werden",
        "wie",
        "wir",
        "wird",
        "wo",
        "zu",
        "zum",
        "zur",
        "über",
        "herr",
        "frau",
        "damen",
        "herren",
        "kollegen",
        "kolleginnen",
        "dank",
        "danke",
        "bitte",
        "vielen",
        "liebe",
        "meine",
    ]
)


def key_terms(text: str, limit: int = 5) -> list[str]:
    """The contribution's key content: its numbers, then its longest capitalised nouns."""
    nums = [str(n) for n in sorted(numbers_in_text(text, include_ambiguous=False))]
    seen: dict[str, int] = {}
    for i, m in enumerate(_CAPITAL.finditer(text)):
        w = m.group()
        if w.lower() in _STOP or len(w) < 5:
            continue
        seen.setdefault(w, i)
    nouns = sorted(seen, key=lambda w: (-len(w), seen[w]))
    return (nums + nouns)[:limit]


def _stem(word: str) -> str:
    return word.lower()[: max(4, len(word) - 3)]


def coverage(summary: str, terms: list[str]) -> float:
    """Share of ``terms`` found in ``summary`` (by stem: "Fahrradstraße" ~ "Fahrradstraßen")."""
    if not terms:
        return 1.0
    low = summary.lower()
    return sum(1 for t in terms if _stem(t) in low) / len(terms)


# Position words. The stems (also what the rule extract, ``condense``, looks for in a clause)
# and the phrases („stimmt … zu“, „lehnt … ab“, „trägt … mit“).
PRO_STEMS = r"unterstütz\w*|zustimm\w*"
CONTRA_STEMS = r"ablehn\w*"
_PRO = (
    rf"{PRO_STEMS}|befürwort\w*|zuzustimm\w*|stimm\w*(?:\s+\w+){{0,12}}\s+zu|"
    r"steh\w*(?:\s+\w+){0,3}\s+(?:fest\s+)?zu[rm]?|trag\w*(?:\s+\w+){0,6}\s+mit|mitzutragen|mittrag\w*|"
    r"sag\w*(?:\s+\w+){0,2}\s+zu(?=\s*(?:[.!;]|$))"
)
_CONTRA = rf"{CONTRA_STEMS}|abzulehnen|lehn\w*(?:\s+\w+){{0,12}}\s+ab"
# „dafür“/„dagegen“ state a position only with a vote or „sein“ („stimmen dagegen“, „sind dafür“),
# not as pronominal adverbs („dafür eingesetzt“, „die Schule dagegen …“).
_VOTE_WORD = r"(?:stimm\w*|gestimmt|sind|ist|sei|seien|bin|waren|war|sein)"


def _for_against(word: str) -> str:
    return rf"{_VOTE_WORD}(?:\s+\w+){{0,2}}\s+{word}|{word}(?:\s+\w+){{0,2}}\s+{_VOTE_WORD}"


_ABSTAIN = r"enthalt\w*\s+(?:uns|sich)|(?:uns|sich)(?:\s+\w+){0,4}\s+enthalten|enthält\s+sich|enthaltung"
_STANCE_PATTERNS = {
    "dafür": re.compile(rf"\b(?:{_PRO}|{_for_against('dafür')})\b", re.IGNORECASE),
    "dagegen": re.compile(rf"\b(?:{_CONTRA}|{_for_against('dagegen')})\b", re.IGNORECASE),
    "Enthaltung": re.compile(rf"\b(?:{_ABSTAIN})\b", re.IGNORECASE),
}
_NEGATION = re.compile(r"\b(?:nicht|keine[nmrs]?|kein|nie|niemals)\b", re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(r"[,;:–]|\s-\s|\b(?:aber|sondern|jedoch)\b", re.IGNORECASE)
# A question, an indirect one („fragt, ob …“) or a request to others states no position.
_ASKED = re.compile(r"\b(?:fragt|fragte|frage|ob)\b.*$", re.IGNORECASE)


def positions(text: str) -> set[str]:
    """The positions a text states: "dafür" (unterstützt, stimmt … zu, trägt … mit, ist dafür),
    "dagegen" (lehnt … ab, stimmt dagegen, and a negated pro: „nicht zustimmen“, „keine
    Zustimmung“), "Enthaltung" (enthält sich). A negated contra („lehnt nicht ab“) states none;
    questions („Stimmt die Fraktion zu?“, „fragt, ob …“) state none."""
    found: set[str] = set()
    for sent in sentences(text) or [text]:
        if sent.rstrip().endswith("?"):
            continue
        for clause in _CLAUSE_SPLIT.split(_ASKED.sub("", sent)):
            for name, pattern in _STANCE_PATTERNS.items():
                for m in pattern.finditer(clause):
                    negated = _NEGATION.search(
                        clause[: m.end()][-60:]
                    )  # „nicht … zustimmen“, „stimmt nicht zu“
                    if not negated:
                        found.add(name)
                    elif name == "dafür":
                        found.add("dagegen")
    return found


def keeps_position(summary: str, source: str) -> bool:
    """True where ``summary`` states a position the contribution itself states: that is its key
    content even without the contribution's nouns („Die Fraktion unterstütze den Antrag.“)."""
    return bool(positions(summary) & positions(source))


def position_error(summary: str, source: str) -> str:
    """Why the position ``summary`` states is not the contribution's ("" when it is, or when the
    summary states none): the opposite one, or one where the contribution states none."""
    said, stated = positions(source), positions(summary)
    wrong = stated - said
    if not wrong:
        return ""
    if not said:
        return "Position nicht gesagt: " + ", ".join(sorted(wrong))
    return f"Position falsch: {', '.join(sorted(wrong))} statt {', '.join(sorted(said))}"
