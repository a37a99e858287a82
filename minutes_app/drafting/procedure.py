"""Rule-based recogniser for procedural facts of a council session.

``find_procedure`` reads the transcript sentence by sentence and returns
ProcedureEvents, each with evidence (time range and segment ids):

- Anträge zur Geschäftsordnung (Vertagung, Absetzung, Verweisung …) with mover
  and, when an outcome phrase follows, the outcome;
- Anträge and Änderungsanträge with mover and a short content;
- Befangenheit (§31 GO NRW), namentliche Abstimmung (requested or held);
- Unterbrechungen from the interruption to the resumption cue;
- Protokollerklärungen.

Questions, negations, hypotheticals and talk about the past are no motions
("Wollen wir vertagen?", "Ich bin nicht befangen", "wir haben damals vertagt").
The German ``text`` of each event is a sentence for the minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..base.types import Evidence, ProcedureEvent, Segment
from . import procedure_patterns as P
from .votes import find_votes, is_roll_call

_MOTIONS = ("geschaeftsordnung", "antrag", "aenderungsantrag")
# A motion heard without its content (a garbled transcript, „über den Antrag der Grünen“) says
# so, never an empty „X stellt einen Antrag.“; the item's Anträge get it with a placeholder
# the secretary fills in (``motions.check_motions``; the release is refused until then).
UNHEARD = " (Inhalt im Transkript nicht erkannt)"
TO_FILL = ": [Inhalt bitte aus der Aufnahme ergänzen]"
_MERGE_WINDOW = 300.0
_TITLED = re.compile(
    r"^(?:herr|frau|stadtr|ratsmitglied|ratsherr|ratsfrau|dr\.|prof|bürgermeister|beigeordnet|bezirks|ortsvor"
    r"|die\s+fraktion|kolleg|sachkundig)",
    re.I,
)


@dataclass
class _Unit:
    seg: Segment
    sentence: str
    start: float
    end: float
    who: str  # speaker label


@dataclass
class _Draft:
    kind: str
    start: float
    end: float
    who: str = ""
    detail: str = ""
    content: str = ""
    outcome: str = ""
    resumed: bool = False
    evidence: list[Evidence] = field(default_factory=list)

    def add(self, unit: _Unit) -> None:
        ev = Evidence(unit.seg.start, unit.seg.end, [unit.seg.id])
        if ev not in self.evidence:
            self.evidence.append(ev)


def _units(segments: list[Segment], labels: dict[str, str]) -> list[_Unit]:
    units: list[_Unit] = []
    for seg in sorted(segments, key=lambda s: (s.start, s.id)):
        n = max(1, len(seg.text))
        who = labels.get(seg.speaker or "", seg.speaker or "")
        for m in P.SENT.finditer(seg.text):
            if not m.group().strip():
                continue
            a = seg.start + (seg.end - seg.start) * m.start() / n
            b = seg.start + (seg.end - seg.start) * m.end() / n
            units.append(_Unit(seg, m.group().strip(), round(a, 2), round(b, 2), who))
    return units


def _mover(s: str, unit: _Unit, owner: str = "") -> str:
    """Who moved it: the faction/person named (owner, subject), else the speaker talking in first
    person (not one putting a motion to the vote: „wir stimmen über den Antrag ab“)."""
    if owner:
        ref = P.person_ref(owner)
        return ref[0] if ref else P.faction_name(owner)
    sub = P.SUBJECT.search(s)
    if sub:
        name = P.faction_name(sub.group("f1") or sub.group("f2") or "")
        if name:
            return name
    ref = P.person_ref(s)
    if ref and not re.search(r"\b(?:ich|wir)\b", s, re.I):
        return ref[0]
    return unit.who if P.FIRST_PERSON.search(s) and not P.VOTE_CALL.search(s) else ""


def _content_after(s: str, end: int, strict: bool) -> str:
    """The clause after the motion verb (or the owner), with its separator: ", dass …", ": …", " die …"."""
    rest = s[end:]
    if strict:
        if m := re.match(r"\s*([,:])\s*(?=(?:dass|wonach)\b|:)", rest + ":", re.I):
            return m.group(1) + " " + P.clip(rest[m.end() :]) if P.clip(rest[m.end() :]) else ""
        m = re.match(r"\s+(?:um|zu|zur|zum|auf|betreffend|bezüglich|über)\b", rest, re.I)
        return " " + P.clip(rest[m.end() :]) if m and P.clip(rest[m.end() :]) else ""
    rest = re.sub(r"^\s*(?:hiermit\s+|folgendes\s*|folgenden\s+\w*antrag\s*)?", "", rest, flags=re.I)
    sep = rest[:1] if rest[:1] in ",:" else " "
    return sep + P.clip(rest) if P.clip(rest) else ""


def _next_same(units: list[_Unit], k: int, n: int = 2) -> list[int]:
    out = []
    for j in range(k + 1, min(len(units), k + 1 + n)):
        if units[j].seg.speaker != units[k].seg.speaker:
            break
        out.append(j)
    return out


def _merge_into(drafts: list[_Draft], new: _Draft, unit: _Unit) -> _Draft:
    for d in reversed(drafts):
        if unit.start - d.end > _MERGE_WINDOW:
            break
        same_kind = d.kind == new.kind or {d.kind, new.kind} == {"antrag", "aenderungsantrag"}
        if not same_kind or d.outcome:
            continue
        generic = "Antrag zur Geschäftsordnung"
        specific = generic not in (d.detail, new.detail)
        if d.kind == "geschaeftsordnung" and specific and d.detail.split()[0] != new.detail.split()[0]:
            continue
        if d.kind == "namentliche_abstimmung" and d.detail != new.detail:
            continue
        if d.who and new.who and d.who != new.who:
            continue
        d.kind = "aenderungsantrag" if "aenderungsantrag" in (d.kind, new.kind) else d.kind
        d.who = d.who or new.who
        d.content = d.content or new.content
        if d.kind == "geschaeftsordnung" and (d.detail == generic or len(new.detail) > len(d.detail)):
            d.detail = new.detail
        d.end = max(d.end, unit.end)
        d.add(unit)
        return d
    new.add(unit)
    drafts.append(new)
    return new


def _motion(units: list[_Unit], k: int, drafts: list[_Draft], used: set[int]) -> bool:
    u = units[k]
    s = u.sentence
    go = P.GO_FRAME.search(s)
    motion = P.MOTION.search(s)
    owned = P.OWNED.search(s)
    if re.search(r"\bnicht\s+(?:\w+\s+)?beantrag", s, re.I):
        return False
    detail_src = s
    details = [name for name, pat in P.GO_DETAILS if pat.search(s)]
    if go and not details:
        for j in _next_same(units, k):
            found = [name for name, pat in P.GO_DETAILS if pat.search(units[j].sentence)]
            if found:
                details, detail_src = found, units[j].sentence
                used.add(j)
                break
    if go or (motion and details):
        detail = details[0] if details else "Antrag zur Geschäftsordnung"
        target = P.TARGET.search(detail_src)
        if detail == "Verweisung" and target:
            detail = f"Verweisung {target.group('target')}"
        owner = owned.group("owner") if owned and not owned.group("kind") else ""
        who = _mover(s, u, owner)
        if P.VOTE_CALL.search(s) and _pending(drafts, u, kinds=("geschaeftsordnung",)):
            who = ""  # „Ich lasse über den GO-Antrag von Herrn X abstimmen“: the one heard before
        _merge_into(drafts, _Draft("geschaeftsordnung", u.start, u.end, who, detail), u)
        return True
    called = _mover(s, u, owned.group("owner")) if owned else ""
    calling = P.VOTE_CALL.search(s) and re.search(r"antrag", s, re.I)
    if calling and (pending := _pending(drafts, u, called)):
        # „Ich lasse über den Antrag der X abstimmen“: the motion already heard, not a second
        # one; the result that follows is its result (the latest open motion gets it)
        pending.add(u)
        pending.end = max(pending.end, u.start)  # the list stays ordered by end for the windowed loops
        drafts.remove(pending)
        drafts.append(pending)
        return True
    if not (motion or owned):
        return False
    amend = bool(P.AMENDMENT.search(s)) or bool(owned and owned.group("kind"))
    owner = owned.group("owner") if owned else ""
    who = _mover(s, u, owner)
    if not who:
        return False
    if owned and not (motion and motion.start() < owned.start()):
        content = _content_after(s, owned.end(), strict=True)
    else:
        content = _content_after(s, motion.end() if motion else len(s), strict=False)
    if not content and motion and re.search(r"(?:antrag|folgendes|folgende\w*)\s*:?\s*$", s, re.I):
        nxt = _next_same(units, k, 1)
        if nxt:
            content = P.clip(units[nxt[0]].sentence)
            used.add(nxt[0])
    draft = _Draft("aenderungsantrag" if amend else "antrag", u.start, u.end, who, content=content)
    _merge_into(drafts, draft, u)
    return True


_ANTRAEGE = ("antrag", "aenderungsantrag")


def _pending(
    drafts: list[_Draft], unit: _Unit, owner: str = "", kinds: tuple[str, ...] = _ANTRAEGE
) -> _Draft | None:
    """The latest motion of ``kinds`` (Antrag or Änderungsantrag) still without its result,
    heard shortly before; with ``owner`` („Fraktion GRÜNE“) the latest one whose mover is theirs."""
    # „Fraktion DIE LINKE“ -> „linke“, „Herr Brandt“ -> „brandt“: one of them in the mover's label
    keys = [w for w in re.findall(r"\w+", owner.lower()) if len(w) >= 3 and w not in _NOT_A_NAME]
    for d in reversed(drafts):
        if unit.start - d.end > _MERGE_WINDOW:
            return None
        theirs = not keys or any(k in re.findall(r"\w+", d.who.lower()) for k in keys)
        if d.kind in kinds and not d.outcome and theirs:
            return d
    return None


_NOT_A_NAME = {"fraktion", "herr", "herrn", "frau", "die", "der", "des", "von"}


def _bias(u: _Unit) -> _Draft | None:
    s = u.sentence
    if not P.BIAS_WORD.search(s) or s.endswith("?") or P.BIAS_NEG.search(s) or P.HYPO.search(s):
        return None
    if P.PAST.search(s) or not P.BIAS_DECL.search(s):
        return None
    ref = P.person_ref(s)
    if re.search(r"\b(?:ich|mich|mir)\b", s, re.I) or not ref:
        if not P.FIRST_PERSON.search(s):
            return None
        who = u.who
    else:
        who = ref[0]
    return _Draft("befangenheit", u.start, u.end, who)


def _protocol(units: list[_Unit], k: int, used: set[int]) -> _Draft | None:
    u = units[k]
    s = u.sentence
    m = P.PROTOCOL.search(s)
    if not m or s.endswith("?") or P.PROTOCOL_NOISE.search(s) or P.NEG.search(s[: m.end()]):
        return None
    owned = P.PROTOCOL_OWNED.search(s)
    who = _mover(s, u, owned.group("owner") if owned else "")
    colon = s.find(":", m.start())
    content = P.clip(s[colon + 1 :]) if colon >= 0 else ""
    if not content:
        nxt = _next_same(units, k)
        content = P.clip(" ".join(units[j].sentence for j in nxt), 30)
        used.update(nxt)
    return _Draft("protokollerklaerung", u.start, u.end, who or u.who, content=content)


def _outcome(u: _Unit) -> str:
    events = find_votes([Segment(u.seg.id, u.start, u.end, u.sentence)])
    if events and events[0].vote.outcome:
        return "abgelehnt" if "abgelehnt" in events[0].vote.outcome else "angenommen"
    return "angenommen" if P.GO_DONE.search(u.sentence) else ""


def _assign_outcome(u: _Unit, drafts: list[_Draft]) -> None:
    outcome = _outcome(u)
    if not outcome:
        return
    for d in reversed(drafts):
        if d.kind not in _MOTIONS or d.end > u.start:
            continue
        if d.outcome:
            return  # the latest motion already has its result: this one is about something else
        gap = u.start - d.end
        if d.kind == "geschaeftsordnung":
            ok = gap <= 90 or (bool(P.OUTCOME_REF.search(u.sentence)) and gap <= _MERGE_WINDOW)
        else:
            ok = bool(re.search(r"antrag", u.sentence, re.I)) and gap <= 600
        if ok:
            d.outcome = outcome
            d.add(u)
        return


def find_procedure(segments: list[Segment], labels: dict[str, str] | None = None) -> list[ProcedureEvent]:
    """Procedural events heard in ``segments`` (labels: speaker id -> display name), in spoken order."""
    units = _units(segments, labels or {})
    drafts: list[_Draft] = []
    pause: _Draft | None = None
    used: set[int] = set()
    for k, u in enumerate(units):
        if k in used:
            continue
        s = u.sentence
        question = s.endswith("?")
        if is_roll_call(s) and not P.PAST.search(s) and not P.HYPO.search(s):
            asked = bool(P.MOTION.search(s) or re.search(r"\b(?:verlang|forder|antrag)", s, re.I))
            who = _mover(s, u) if asked else ""
            _merge_into(
                drafts,
                _Draft(
                    "namentliche_abstimmung", u.start, u.end, who, "beantragt" if asked else "durchgeführt"
                ),
                u,
            )
            continue
        if bias := _bias(u):
            _merge_into(drafts, bias, u)
            continue
        if note := _protocol(units, k, used):
            note.add(u)
            drafts.append(note)
            continue
        if pause and P.RESUME.search(s) and not question:
            pause.end, pause.resumed = u.start, True
            pause.add(u)
            pause = None
            continue
        interrupt = P.INTERRUPT.search(s)
        if interrupt and not question and not P.MOTION.search(s) and not P.NEG.search(s):
            if pause is None or u.start - pause.start > 120:
                pause = _Draft("unterbrechung", u.start, u.start, u.who, P.duration(s))
                drafts.append(pause)
            pause.detail = pause.detail or P.duration(s)
            pause.add(u)
            continue
        if not question and not P.PAST.search(s) and not P.HYPO.search(s) and _motion(units, k, drafts, used):
            continue
        if m := P.DEMONSTRATIVE.search(s):
            for d in reversed(drafts):
                if (
                    d.kind in ("antrag", "aenderungsantrag")
                    and not d.outcome
                    and u.start - d.end <= _MERGE_WINDOW
                ):
                    d.kind = "aenderungsantrag" if m.group("kind") else d.kind
                    d.add(u)
                    break
        _assign_outcome(u, drafts)
    return [_render(d) for d in sorted(drafts, key=lambda d: d.start)]


def _subject(who: str) -> str:
    if who.startswith("Fraktion "):
        return "Die " + who
    m = re.match(r"(?:Herr|Frau)\s+(?:Dr\.\s+)?(\S+)$", who)
    if m:
        return "Ratsmitglied " + m.group(1)
    return who


def _joined(content: str) -> str:
    """ ", dass …" / ": …" / " die Einrichtung …" as said after "beantragt"."""
    if content[:1] == " ":
        return content
    if content[:1] in ",:":
        return content[0] + " " + content[1:].lstrip()
    return " " + content


def _render(d: _Draft) -> ProcedureEvent:
    subj = _subject(d.who)
    result = f" Der Antrag wird {d.outcome}." if d.outcome else ""
    detail = d.detail
    if d.kind == "geschaeftsordnung":
        what = (
            ""
            if d.detail == "Antrag zur Geschäftsordnung"
            else " auf " + P.GO_ACCUSATIVE.get(d.detail, d.detail)
        )
        if subj:
            text = f"{subj} stellt einen Antrag zur Geschäftsordnung{what}."
        else:
            text = f"Es wird ein Antrag zur Geschäftsordnung{what} gestellt."
        text += result
    elif d.kind == "antrag":
        detail = d.content.lstrip(",: ")
        if d.content:
            text = f"{subj} beantragt{_joined(d.content)}." + result
        else:
            text = f"{subj} stellt einen Antrag{UNHEARD}." + result
    elif d.kind == "aenderungsantrag":
        detail = d.content.lstrip(",: ")
        said = f": {d.content.lstrip(',: ')}" if d.content else UNHEARD
        text = f"{subj} stellt einen Änderungsantrag{said}." + result
    elif d.kind == "befangenheit":
        person = subj if _TITLED.match(subj) else f"Ratsmitglied {subj}"
        text = f"{person} erklärt sich für befangen und nimmt an Beratung und Abstimmung nicht teil."
    elif d.kind == "namentliche_abstimmung":
        if d.detail == "beantragt":
            text = (
                f"{subj} beantragt namentliche Abstimmung."
                if subj
                else "Namentliche Abstimmung wird beantragt."
            )
        else:
            text = "Es wird namentlich abgestimmt."
    elif d.kind == "unterbrechung":
        span = "" if not d.detail else f" {d.detail}" if d.detail.startswith("bis") else f" für {d.detail}"
        text = f"Die Sitzung wird{span} unterbrochen"
        if d.resumed:
            text += " und anschließend fortgesetzt."
        else:
            text += "; die Fortsetzung ist in der Aufnahme nicht erkannt – bitte prüfen."
    else:
        text = f"{subj} gibt eine Erklärung zu Protokoll" + (f": {d.content}." if d.content else ".")
        detail = d.content
    text = re.sub(r"([.!?…])\.$", r"\1", text.replace(".. ", ". "))
    return ProcedureEvent(d.kind, text, d.start, d.end, d.who, detail, d.evidence)
