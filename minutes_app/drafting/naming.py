"""Suggest which roster person (Attendee) each diarization speaker is.

Cues, all from the transcript:
- the chair gives the floor ("Herr Schnell, bitte", "Das Wort hat Frau
  Meier-Augenstein", "Als Nächstes Frau Lisbach"): the next different speaker
  is likely that person;
- self-introductions: a name ("Mein Name ist …") or a faction ("Für die
  CDU-Fraktion …", "Namens der Grünen …", "wir als SPD-Fraktion") matched
  against ``Attendee.faction``;
- the speaker who runs the session (calls agenda items, puts votes, gives the
  floor) is the attendee whose role is the Vorsitz;
- a name said by a speaker in the third person ("was der Herr Schnell da sagt")
  or as an address is evidence that this speaker is NOT that person.

Names match by surname with titles, umlaut spellings (ä/ae, ø/oe), hyphenated
names and a small edit distance for ASR spellings. The result is one-to-one
(best score first) and drops weak suggestions; a person confirms them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..base.text import position
from ..base.types import Attendee, Evidence, Segment

THRESHOLD = 0.5

_TITLE = (
    r"(?:herrn?|frau|stadtr(?:at|ätin|ats|äte)|ratsmitglied(?:s|er)?|ratsherrn?|ratsfrau|kolleg(?:e|en|in)"
    r"|dr\.|prof\.|doktor|professor(?:in)?|bürgermeister(?:in)?|beigeordnete[nr]?|bezirksvorsteher(?:in)?"
    r"|ortsvorsteher(?:in)?|fraktionsvorsitzende[nr]?|bezirksvertreter(?:in)?)"
)
_UP = r"[A-ZÄÖÜÅØÆÉÈÀÇŠŽ]"
_NAMEWORD = rf"{_UP}[\w'’]*(?:-{_UP}?[\w'’]+)*"
# "Herr Schnell", "Frau Stadträtin Meier-Augenstein", "des Herrn Dr. Fostiropoulos"
NAME_REF = re.compile(
    rf"(?P<title>\b(?i:{_TITLE})(?:\s+(?i:{_TITLE}))*)\s+(?P<name>{_NAMEWORD}(?:\s+{_NAMEWORD}){{0,2}})"
)
_SELF_NAME = re.compile(
    rf"\b(?:mein\s+name\s+ist|ich\s+heiße|hier\s+spricht)\s+(?P<name>{_NAMEWORD}(?:\s+{_NAMEWORD}){{0,2}})",
    re.I,
)
_SELF_BEFORE = re.compile(r"\b(?:mein\s+name\s+ist|ich\s+bin|ich\s+heiße|hier\s+spricht)\s*$", re.I)
_CHAIR_VOCATIVE = re.compile(
    r"\b(?:herr|frau)\s+(?:ober)?bürgermeister(?:in)?\b|\bherr\s+vorsitzender\b|\bfrau\s+vorsitzende\b", re.I
)
_SENT = re.compile(r"(?:[^.!?]|\.(?=\d))*(?:[.!?]+|$)")

# Floor-giving context around a name reference (before / after the name).
_FLOOR_BEFORE = re.compile(
    r"(?:\bdas\s+wort\s+(?:hat|haben|erhält|bekommt|geht\s+an)"
    r"|\b(?:als\s+nächste[rs]?|nächste\s+wortmeldung|es\s+folgt|es\s+spricht|jetzt\s+spricht|wortmeldung\s+von)"
    r"(?:\s+(?:hat|spricht|folgt|kommt|ist|dann|bitte))?"
    r"|\b(?:ich\s+erteile|erteile\s+ich)(?:\s+das\s+wort)?(?:\s+(?:jetzt|nun|zunächst))?(?:\s+(?:dem|der))?"
    r"|\b(?:ich\s+gebe\s+das\s+wort|gebe\s+ich\s+das\s+wort)\s+(?:jetzt\s+|nun\s+)?an"
    r"|\b(?:geschäftsordnungsantrag|wortmeldung|frage|redebeitrag|wortbeitrag)\s+(?:des|der|von))"
    r"(?:\s+(?:jetzt|nun|zunächst|dann))?\s*$",
    re.I,
)
_FLOOR_SHORT_BEFORE = re.compile(
    r"^\W*(?:(?:vielen\s+)?dank(?:e)?(?:\s+schön)?\W+)?(?:bitte(?:\s+(?:schön|sehr))?|dann|jetzt|so|gerne|nun|und)?\W*$",
    re.I,
)
_FLOOR_AFTER = re.compile(
    r"^\s*,?\s*(?:(?:hat|bekommt|erhält)\s+(?:jetzt\s+|nun\s+)?das\s+wort"
    r"|(?:bitte(?:\s+(?:schön|sehr))?\s*,?\s*)?(?:sie|du)\s+(?:haben|hast)\s+(?:jetzt\s+|nun\s+)?das\s+wort"
    r"|(?:bitte(?:\s+(?:schön|sehr))?|sie\s+sind\s+(?:dran|an\s+der\s+reihe)|ihre\s+wortmeldung|das\s+wort)"
    r"\s*[.!]*\s*$"
    r"|(?:das\s+wort|bitte)\s*[.!]*\s*$)",
    re.I,
)
_SHORT_AFTER = re.compile(r"^\s*[,.!]?\s*(?:bitte(?:\s+(?:schön|sehr))?)?\s*[.!]*\s*$", re.I)

# The chair's acts: calling items, putting votes, managing the floor.
_CHAIR_ACT = re.compile(
    r"\bwer\s+(?:ist|stimmt)\s+dafür|\bgegenprobe\b|\benthaltungen\s*\?|\bwer\s+enthält\s+sich"
    r"|\bich\s+bitte\s+um\s+(?:ihr\s+|das\s+)?(?:votum|handzeichen|kartenzeichen|abstimmung)"
    r"|\bbitte\s+ich\s+(?:\w+\s+)?abzustimmen|\bsteht\s+(?:\w+\s+){0,4}zur\s+abstimmung|\blasse\s+(?:\w+\s+){0,4}abstimmen"
    r"|\b(?:keine|weitere)\s+(?:weiteren\s+)?wortmeldungen\b|\beröffne\s+(?:\w+\s+){0,2}sitzung"
    r"|\bschließe\s+(?:\w+\s+){0,2}sitzung|\bdas\s+wort\s+hat\b|\bsie\s+haben\s+das\s+wort\b|\bich\s+erteile\b",
    re.I,
)

# Faction names: canonical key -> pattern (spoken or on the roster).
_FACTIONS: list[tuple[str, str]] = [
    ("GRÜNE", r"(?:bündnis\s*90\s*/?\s*)?(?:die\s+)?grün(?:e|en)?|bündnis\s*90"),
    ("LINKE", r"(?:die\s+)?link(?:e|en)"),
    ("FW", r"freien?\s+wähler(?:innen)?|fw|freie\s+wählergemeinschaft"),
    ("CDU", r"cdu"),
    ("CSU", r"csu"),
    ("SPD", r"spd|sozialdemokraten"),
    ("FDP", r"fdp|freien?\s+demokraten|liberalen?"),
    ("AFD", r"afd"),
    ("VOLT", r"volt"),
    ("ÖDP", r"ödp|oedp"),
]
_FACTION_PATS = [(key, re.compile(rf"^(?:{pat})$", re.I)) for key, pat in _FACTIONS]
_FW = r"[\wÄÖÜäöüß./|]+(?:\s+(?:90\s*/\s*die\s+grünen|wähler\w*|demokraten))?"
_SELF_FACTION = [
    # "Für die CDU-Fraktion …" (sentence start), "Ich spreche für die SPD"
    re.compile(
        rf"^\W*(?:(?:ja|also|und|auch|nun|ich\s+spreche(?:\s+hier)?|ich\s+darf(?:\s+hier)?)\s*,?\s+)*für\s+"
        rf"(?:die|unsere|meine)\s+(?:fraktion\s+(?:der\s+|die\s+)?)?(?P<f>{_FW})(?:-?\s?fraktion|-?\s?gruppe)?\b",
        re.I,
    ),
    re.compile(
        rf"\bspreche\s+(?:\w+\s+)?für\s+(?:die|meine|unsere)\s+(?:fraktion\s+(?:der\s+)?)?(?P<f>{_FW})\b",
        re.I,
    ),
    re.compile(
        rf"\b(?:namens|im\s+namen)\s+(?:der|des|meiner|unserer)\s+(?:fraktion\s+(?:der\s+)?)?(?P<f>{_FW})\b",
        re.I,
    ),
    re.compile(rf"\bwir\s+(?:\w+\s+)?(?:als|von\s+der|von\s+den)\s+(?P<f>{_FW})(?:-?\s?fraktion)?\b", re.I),
    re.compile(rf"\b(?:ich|wir)\b[^.!?]{{0,60}}\bals\s+(?P<f>{_FW})-?\s?fraktion\b", re.I),
    re.compile(
        rf"\bich\s+bin\b[^.!?]{{0,40}}?\b(?:von|bei|mitglied)\s+(?:der|den|dem)\s+(?P<f>{_FW})\b", re.I
    ),
    re.compile(rf"\b(?:unsere|meine)\s+(?P<f>{_FW})-?\s?fraktion\b", re.I),
]


def fold(text: str) -> str:
    """Lower case, umlauts as ae/oe/ue, accents dropped: "Høyem" -> "hoeyem"."""
    s = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ø", "oe"), ("æ", "ae"), ("å", "aa")):
        s = s.replace(a, b)
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9-]", "", s)


def faction_keys(text: str) -> set[str]:
    """Canonical keys of a faction text: "Bündnis 90/Die Grünen" -> {"GRÜNE"}, "FW|FÜR" -> {"FW", "fuer"}."""
    text = re.sub(r"-?\s?(?:fraktion|gruppe)$", "", text.strip(), flags=re.I)
    whole = _faction_key(text)
    if whole:
        return {whole}
    keys = {_faction_key(part) or fold(part) for part in re.split(r"[/|,;]", text) if part.strip()}
    return {k for k in keys if k}


def _faction_key(part: str) -> str:
    part = re.sub(r"\s+", " ", part.strip())
    for key, pat in _FACTION_PATS:
        if pat.match(part):
            return key
    return ""


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _close(spoken: str, name: str) -> bool:
    if len(name) < 5 or abs(len(spoken) - len(name)) > 2:
        return False
    return _distance(spoken, name) <= (2 if len(name) >= 9 else 1)


@dataclass
class NameSuggestion:
    speaker: str  # diarization id, e.g. "SPEAKER_03"
    name: str  # Attendee.name
    score: float  # 0..1
    reasons: list[str]  # German
    evidence: list[Evidence]


@dataclass
class _Clue:
    weight: float
    reason: str
    evidence: Evidence


@dataclass
class _Roster:
    attendees: list[Attendee]
    surnames: list[str] = field(default_factory=list)
    given: list[set[str]] = field(default_factory=list)
    factions: list[set[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for a in self.attendees:
            self.surnames.append(fold(a.surname))
            words = [w for w in re.split(r"[\s,]+", a.name) if w and not w.endswith(".")]
            given = {fold(w) for w in words[:-1]} | ({fold(a.given_name)} if a.given_name else set())
            self.given.append(given - {self.surnames[-1], ""})
            self.factions.append(faction_keys(a.faction) if a.faction else set())

    def match(self, name: str) -> dict[int, float]:
        """Roster indices the spoken name may be, with match quality (ambiguity splits it)."""
        tokens = [fold(t) for t in re.split(r"\s+", name.strip()) if fold(t)]
        if not tokens:
            return {}
        tries = [("-".join(tokens[:2]), 1.0)] if len(tokens) >= 2 else []
        tries.append((tokens[0], 1.0))
        if len(tokens) >= 2 and any(tokens[0] in g for g in self.given):
            tries.append((tokens[1], 1.0))  # "Frau Anna Schnell"
        best: dict[int, float] = {}
        for i, surname in enumerate(self.surnames):
            parts = surname.split("-")
            for spoken, base in tries:
                if spoken == surname:
                    q = base
                elif len(parts) > 1 and spoken in parts and len(spoken) >= 4:
                    q = 0.7 * base  # "Frau Meier" for Meier-Augenstein
                elif _close(spoken, surname):
                    q = 0.8 * base
                else:
                    continue
                best[i] = max(best.get(i, 0.0), q)
        if not best:
            return {}
        top = max(best.values())
        winners = [i for i, q in best.items() if q == top]
        return {i: top / len(winners) for i in winners}


def _quote(sentence: str, limit: int = 70) -> str:
    s = " ".join(sentence.split()).strip()
    return "„" + (s if len(s) <= limit else s[: limit - 1].rstrip() + "…") + "“"


def _ev(*segs: Segment) -> Evidence:
    return Evidence(min(s.start for s in segs), max(s.end for s in segs), [s.id for s in segs])


def _next_speaker(segments: list[Segment], i: int) -> int | None:
    """Index of the first segment after ``i`` by another speaker, if it follows soon."""
    caller, talk = segments[i].speaker, 0.0
    for j in range(i + 1, len(segments)):
        seg = segments[j]
        if seg.start - segments[i].end > 90:
            return None
        if seg.speaker is None:
            continue
        if seg.speaker != caller:
            return j
        talk += seg.end - seg.start
        if talk > 25:
            return None
    return None


def _is_floor(sentence: str, start: int, end: int) -> bool:
    before, after = sentence[:start], sentence[end:]
    if _FLOOR_BEFORE.search(before) or _FLOOR_AFTER.match(after):
        return True
    return bool(_FLOOR_SHORT_BEFORE.match(before) and _SHORT_AFTER.match(after) and before.strip(" ,"))


def _sentences(seg: Segment) -> list[str]:
    return [m.group() for m in _SENT.finditer(seg.text) if m.group().strip()]


def _self_factions(sentence: str) -> set[str]:
    keys: set[str] = set()
    for pat in _SELF_FACTION:
        for m in pat.finditer(sentence):
            spoken = m.group("f").strip(" .,")
            if spoken and not re.fullmatch(r"(?i:fraktion|gruppe|stadt|verwaltung|sache|zukunft)", spoken):
                keys |= faction_keys(spoken)
    return keys


def suggest_speaker_names(
    segments: list[Segment], attendees: list[Attendee], voice_matches: list[dict] | None = None
) -> list[NameSuggestion]:
    """One suggestion per speaker at most (and per attendee), best evidence first, weak ones dropped.

    ``voice_matches``: ``{"speaker", "person", "similarity"}`` from the voice profiles
    (``session/profiles.py``); each is a clue „per Stimmprofil (Ähnlichkeit 0.87)“ weighing
    its similarity. Like every suggestion it is only offered: the secretary confirms it.
    """
    roster = _Roster([a for a in attendees if a.present])
    pos: dict[tuple[str, int], list[_Clue]] = {}
    neg: dict[tuple[str, int], list[_Clue]] = {}
    chair_acts: dict[str, list[Segment]] = {}
    not_chair: dict[str, list[_Clue]] = {}
    calls: list[tuple[int, int, dict[int, float], str]] = []  # (segment, next segment, persons, sentence)

    from .cues import find_cues
    from .votes import find_votes

    for cue in find_cues(segments):
        if segments[cue.index].speaker:
            chair_acts.setdefault(str(segments[cue.index].speaker), []).append(segments[cue.index])
    for i, seg in enumerate(segments):
        spk = seg.speaker
        if not spk:
            continue
        acts = sum(1 for s in _sentences(seg) if _CHAIR_ACT.search(s)) + (1 if find_votes([seg]) else 0)
        chair_acts.setdefault(spk, []).extend([seg] * acts)
        for sentence in _sentences(seg):
            quote = f"{_quote(sentence)} ({position(seg.start)})"
            if _CHAIR_VOCATIVE.search(sentence):
                not_chair.setdefault(spk, []).append(_Clue(0.0, f"Spricht den Vorsitz an: {quote}", _ev(seg)))
            for m in _SELF_NAME.finditer(sentence):
                for idx, q in roster.match(m.group("name")).items():
                    pos.setdefault((spk, idx), []).append(
                        _Clue(0.9 * q, f"Stellt sich vor: {quote}", _ev(seg))
                    )
            for m in NAME_REF.finditer(sentence):
                persons = roster.match(m.group("name"))
                if not persons:
                    continue
                if _SELF_BEFORE.search(sentence[: m.start()]):
                    for idx, q in persons.items():
                        pos.setdefault((spk, idx), []).append(
                            _Clue(0.9 * q, f"Stellt sich vor: {quote}", _ev(seg))
                        )
                    continue
                floor = _is_floor(sentence, m.start(), m.end())
                said = f"„{m.group(0)}“ ({position(seg.start)})"
                reason = f"Erteilt {said} das Wort" if floor else f"Nennt {said} in der dritten Person"
                for idx in persons:
                    neg.setdefault((spk, idx), []).append(_Clue(0.0, reason, _ev(seg)))
                if floor:
                    j = _next_speaker(segments, i)
                    if j is not None:
                        calls.append((i, j, persons, sentence))
                        chair_acts.setdefault(spk, []).append(seg)
            for key in _self_factions(sentence) & set().union(*roster.factions):
                cands = [k for k, f in enumerate(roster.factions) if key in f]
                for idx in cands:
                    pos.setdefault((spk, idx), []).append(
                        _Clue(0.6 / len(cands), f"Spricht für die Fraktion {key}: {quote}", _ev(seg))
                    )
                for idx, f in enumerate(roster.factions):
                    if f and key not in f:
                        neg.setdefault((spk, idx), []).append(
                            _Clue(0.0, f"Spricht für eine andere Fraktion ({key}): {quote}", _ev(seg))
                        )

    chair_spk = _chair_speaker(chair_acts)
    for i, j, persons, sentence in calls:
        caller, callee = segments[i].speaker, str(segments[j].speaker)
        who = "Vom Vorsitz aufgerufen" if caller == chair_spk else f"Von {caller} aufgerufen"
        for idx, q in persons.items():
            pos.setdefault((callee, idx), []).append(
                _Clue(
                    0.7 * q,
                    f"{who}: {_quote(sentence)} ({position(segments[i].start)})",
                    _ev(segments[i], segments[j]),
                )
            )
    if chair_spk:
        chairs = [k for k, a in enumerate(roster.attendees) if _is_chair_role(a.role)]
        main = [k for k in chairs if "stellv" not in roster.attendees[k].role.lower()] or chairs
        n = len(chair_acts[chair_spk])
        segs = sorted({s.id: s for s in chair_acts[chair_spk]}.values(), key=lambda s: s.start)
        for idx in main:
            reason = (
                "Leitet die Sitzung (ruft Tagesordnungspunkte auf, lässt abstimmen, erteilt das Wort): "
                f"{n} Belege"
            )
            evidence = [_ev(s) for s in segs[:3]]
            pos.setdefault((chair_spk, idx), []).append(
                _Clue(min(0.95, 0.5 + 0.1 * n) / len(main), reason, evidence[0])
            )
        for spk, clues in not_chair.items():
            for idx in chairs:
                neg.setdefault((spk, idx), []).extend(clues)
    _voice_clues(voice_matches or [], segments, roster, pos)
    return _assign(pos, neg, roster)


def _voice_clues(
    matches: list[dict], segments: list[Segment], roster: _Roster, pos: dict[tuple[str, int], list[_Clue]]
) -> None:
    names = [a.name.strip() for a in roster.attendees]
    for m in matches:
        person, spk, sim = str(m.get("person", "")), str(m.get("speaker", "")), float(m.get("similarity", 0))
        own = [s for s in segments if s.speaker == spk]
        if person not in names or not own:
            continue
        reason = f"per Stimmprofil (Ähnlichkeit {sim:.2f})"
        pos.setdefault((spk, names.index(person)), []).append(_Clue(sim, reason, _ev(own[0])))


def _is_chair_role(role: str) -> bool:
    return bool(re.search(r"vorsitz|bürgermeister", role, re.I))


def _chair_speaker(acts: dict[str, list[Segment]]) -> str | None:
    ranked = sorted(((len(v), k) for k, v in acts.items()), reverse=True)
    if not ranked or ranked[0][0] < 2:
        return None
    if len(ranked) > 1 and ranked[0][0] < 2 * ranked[1][0]:
        return None
    return ranked[0][1]


def _assign(
    pos: dict[tuple[str, int], list[_Clue]], neg: dict[tuple[str, int], list[_Clue]], roster: _Roster
) -> list[NameSuggestion]:
    scored: list[tuple[float, str, int]] = []
    for key, clues in pos.items():
        miss = 1.0
        for c in clues:
            miss *= 1.0 - min(0.99, c.weight)
        score = (1.0 - miss) * 0.35 ** min(2, len(neg.get(key, [])))
        scored.append((round(score, 3), key[0], key[1]))
    out: list[NameSuggestion] = []
    taken_spk: set[str] = set()
    taken_person: set[int] = set()
    for score, spk, idx in sorted(scored, key=lambda t: (-t[0], t[1], t[2])):
        if score < THRESHOLD or spk in taken_spk or idx in taken_person:
            continue
        taken_spk.add(spk)
        taken_person.add(idx)
        clues = pos[(spk, idx)]
        reasons = list(dict.fromkeys(c.reason for c in clues))
        reasons += [f"Gegenindiz: {c.reason}" for c in neg.get((spk, idx), [])]
        evidence = [c.evidence for c in clues]
        out.append(NameSuggestion(spk, roster.attendees[idx].name, score, reasons, evidence))
    return sorted(out, key=lambda s: s.speaker)
