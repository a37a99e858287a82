"""Rule-based fallbacks: resolution sentences, a plain discussion, a verbatim record."""

from __future__ import annotations

import re

from ..base.types import Evidence, Segment
from .transcript import speaker_label

_SENT = re.compile(r"(?:[^.!?]|\.(?=\d))*(?:[.!?]+|$)")
_LAUTET = re.compile(r"\b(?:beschluss(?:vorschlag|text|antrag)?|antrag|der\s+beschluss)\s+lautet\s*:?", re.I)
_BESCHLIESST = re.compile(
    r"^(?:der|die|das)\s+(?:gemeinderat|stadtrat|rat|kreistag|ausschuss|bezirksvertretung|gemeindevertretung|"
    r"stadtverordnetenversammlung|\w+ausschuss)\b[^.!?]{0,80}\bbeschließt\b",
    re.I,
)
_VOTE_TALK = re.compile(r"\bwer\s+ist\s+dafür|\babstimm|\bgegenstimm|\benthaltung", re.I)


def find_resolution(segments: list[Segment]) -> tuple[str, list[Evidence]]:
    """A resolution read out in the session ("Der Rat beschließt …", "Der Beschlussvorschlag lautet: …")."""
    for seg in segments:
        m = _LAUTET.search(seg.text)
        if m:
            rest = seg.text[m.end() :]
            sentences = [s.group().strip() for s in _SENT.finditer(rest) if s.group().strip()]
            kept = []
            for s in sentences:
                if _VOTE_TALK.search(s):
                    break
                kept.append(s)
            text = " ".join(kept).strip().strip('„“"')
            if len(text.split()) >= 4:
                return text, [Evidence(seg.start, seg.end, [seg.id])]
        for s in _SENT.finditer(seg.text):
            sentence = s.group().strip()
            if _BESCHLIESST.search(sentence):
                return sentence, [Evidence(seg.start, seg.end, [seg.id])]
    return "", []


def speaker_turns(segments: list[Segment], speakers: dict[str, str]) -> list[tuple[str, str]]:
    """Consecutive segments of one speaker joined: [(name, text)]."""
    turns: list[tuple[str, str]] = []
    for seg in segments:
        name = speaker_label(seg, speakers)
        text = seg.text.strip()
        if not text:
            continue
        if turns and turns[-1][0] == name:
            turns[-1] = (name, turns[-1][1] + " " + text)
        else:
            turns.append((name, text))
    return turns


_FILLER = re.compile(r"(?:,\s*)?(?<![\w-])(?:äh|ähm|öh|öhm|hm|hmm|mhm|ähem)(?![\w-]),?\s*", re.IGNORECASE)
_STUTTER = re.compile(r"\b(\w+)(?:,?\s+\1\b)+", re.IGNORECASE)


def clean_verbatim(text: str) -> str:
    """Drop hesitation sounds ("äh", "ähm") and stuttered repeats ("die die") from spoken text."""
    text = _FILLER.sub(" ", text)
    text = _STUTTER.sub(r"\1", text)
    text = re.sub(r"\s+([,.!?])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text).strip()
    return text[:1].upper() + text[1:] if text else text


_CALL = re.compile(
    r"^(?:ich\s+rufe|wir\s+kommen\s+(?:jetzt\s+|nun\s+)?zu)\s+(?:den\s+)?"
    r"(?P<what>(?:tagesordnungspunkt|punkt|top)\s+\S+?(?:\s+der\s+tagesordnung)?)(?:\s+auf)?(?P<rest>[:,.].*)?$",
    re.IGNORECASE,
)


def _chair_call(name: str, sentence: str) -> str | None:
    """„Ich rufe Tagesordnungspunkt 5 auf: …“ -> „<Name> ruft Tagesordnungspunkt 5 auf: …“."""
    m = _CALL.match(sentence.strip())
    if not m:
        return None
    rest = (m.group("rest") or ".").strip()
    rest = rest if rest.startswith(":") else "."
    subject = name[:1].upper() + name[1:]
    return f"{subject} ruft {m.group('what')} auf{rest if rest != ':' else '.'}"


def verbatim_record(segments: list[Segment], speakers: dict[str, str], clean: bool = False) -> str:
    """Wortprotokoll: "Name: text" per turn; ``clean`` drops fillers and stutters and reports
    the chair's call of an item in the third person („Die Sitzungsleitung ruft Tagesordnungspunkt 5 auf.“)."""
    paragraphs: list[str] = []
    for name, text in speaker_turns(segments, speakers):
        if not clean:
            paragraphs.append(f"{name}: {text}")
            continue
        spoken: list[str] = []
        for m in _SENT.finditer(clean_verbatim(text)):
            sentence = m.group().strip()
            call = _chair_call(name, sentence) if sentence else None
            if call:
                if spoken:
                    paragraphs.append(f"{name}: {' '.join(spoken)}")
                    spoken = []
                paragraphs.append(call)
            elif sentence:
                spoken.append(sentence)
        if spoken:
            paragraphs.append(f"{name}: {' '.join(spoken)}")
    return "\n\n".join(paragraphs)


def speakers_list(segments: list[Segment], speakers: dict[str, str]) -> str:
    """Fallback discussion: who spoke, in order ("Es sprechen: A, B.")."""
    names: list[str] = []
    for name, _ in speaker_turns(segments, speakers):
        if name not in names:
            names.append(name)
    if not names:
        return ""
    return ("Es spricht: " if len(names) == 1 else "Es sprechen: ") + ", ".join(names) + "."
