"""Transcript exports (TXT, SRT, WebVTT, JSON) and the ``write_export`` dispatcher.

Every format labels speech with the speakers' display names (``Speaker.label``),
so a speaker renamed by the user appears renamed everywhere. The JSON layout is
documented in ``docs/json_format.md``.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..base.errors import OutputError, ProjectError
from ..base.types import Attendee, Minutes, Segment, SessionInfo, Speaker, Transcript, Word
from .common import (
    ExportResult,
    fmt_clock,
    fmt_srt_time,
    fmt_vtt_time,
    label_for,
    part_bundle,
    speaker_labels,
    write_bytes_atomic,
    write_text_atomic,
)

SCHEMA_VERSION = 1
FORMATS = ("txt", "srt", "vtt", "json", "docx", "oparl")

# Subtitle cues longer than this are split at word boundaries (when word times exist).
MAX_CUE_CHARS = 84
MAX_CUE_SECONDS = 7.0


def _clean(text: str) -> str:
    """One line of text: collapse whitespace and newlines (blank lines would end a cue)."""
    return " ".join(text.split())


# ---------------------------------------------------------------------------- TXT


def to_txt(transcript: Transcript, speakers: list[Speaker] | None = None) -> str:
    """Plain text: one paragraph per speaker turn, ``[HH:MM:SS] Name: text``.

    Consecutive segments of the same speaker are joined into one paragraph.
    """
    labels = speaker_labels(speakers or [])
    paragraphs: list[str] = []
    current: tuple[str | None, float, list[str]] | None = None
    for seg in transcript.segments:
        text = _clean(seg.text)
        if not text:
            continue
        if current is not None and current[0] == seg.speaker:
            current[2].append(text)
            continue
        if current is not None:
            paragraphs.append(_txt_paragraph(current, labels))
        current = (seg.speaker, seg.start, [text])
    if current is not None:
        paragraphs.append(_txt_paragraph(current, labels))
    return "\n\n".join(paragraphs) + ("\n" if paragraphs else "")


def _txt_paragraph(turn: tuple[str | None, float, list[str]], labels: dict[str, str]) -> str:
    speaker, start, texts = turn
    label = label_for(speaker, labels)
    prefix = f"[{fmt_clock(start)}] " + (f"{label}: " if label else "")
    return prefix + " ".join(texts)


# ---------------------------------------------------------------------------- cues


def _cues(transcript: Transcript) -> list[tuple[float, float, str | None, str]]:
    """Subtitle cues ``(start, end, speaker_id, text)``; long segments split at word boundaries."""
    cues: list[tuple[float, float, str | None, str]] = []
    for seg in transcript.segments:
        text = _clean(seg.text)
        if not text:
            continue
        too_long = len(text) > MAX_CUE_CHARS or seg.end - seg.start > MAX_CUE_SECONDS
        if too_long and seg.words:
            cues.extend((s, e, seg.speaker, t) for s, e, t in _split_words(seg))
        else:
            cues.append((seg.start, seg.end, seg.speaker, text))
    # Cues must not run backwards or overlap the next one's start.
    fixed: list[tuple[float, float, str | None, str]] = []
    for i, (start, end, speaker, text) in enumerate(cues):
        if i + 1 < len(cues):
            end = min(end, max(cues[i + 1][0], start))
        end = max(end, start + 0.001)
        fixed.append((start, end, speaker, text))
    return fixed


def _split_words(seg: Segment) -> list[tuple[float, float, str]]:
    parts: list[tuple[float, float, str]] = []
    chunk: list[Word] = []
    for word in seg.words:
        candidate = _clean("".join(w.word for w in [*chunk, word]))
        if chunk and (len(candidate) > MAX_CUE_CHARS or word.end - chunk[0].start > MAX_CUE_SECONDS):
            parts.append(_chunk(chunk))
            chunk = []
        chunk.append(word)
    if chunk:
        parts.append(_chunk(chunk))
    return [p for p in parts if p[2]]


def _chunk(words: list[Word]) -> tuple[float, float, str]:
    # Whisper-style words carry their leading space; join raw, then normalise.
    text = "".join(w.word if w.word[:1].isspace() else " " + w.word for w in words)
    return words[0].start, words[-1].end, _clean(text)


# ---------------------------------------------------------------------------- SRT / VTT


def to_srt(transcript: Transcript, speakers: list[Speaker] | None = None) -> str:
    """SubRip: numbered cues, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, text prefixed ``Name:``."""
    labels = speaker_labels(speakers or [])
    blocks = []
    for n, (start, end, speaker, text) in enumerate(_cues(transcript), start=1):
        label = label_for(speaker, labels)
        line = f"{label}: {text}" if label else text
        blocks.append(f"{n}\n{fmt_srt_time(start)} --> {fmt_srt_time(end)}\n{line}\n")
    return "\n".join(blocks)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(transcript: Transcript, speakers: list[Speaker] | None = None) -> str:
    """WebVTT: ``WEBVTT`` header, ``HH:MM:SS.mmm`` cues, speaker as ``<v Name>`` voice tag."""
    labels = speaker_labels(speakers or [])
    blocks = ["WEBVTT\n"]
    for n, (start, end, speaker, text) in enumerate(_cues(transcript), start=1):
        label = label_for(speaker, labels)
        body = _vtt_escape(text)
        if label:
            body = f"<v {_vtt_escape(_clean(label))}>{body}"
        blocks.append(f"{n}\n{fmt_vtt_time(start)} --> {fmt_vtt_time(end)}\n{body}\n")
    return "\n".join(blocks)


# ---------------------------------------------------------------------------- JSON


def _r(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def to_json(result: ExportResult) -> dict[str, Any]:
    """The complete result as a JSON-able dict (schema in ``docs/json_format.md``)."""
    labels = speaker_labels(result.speakers)
    transcript = result.transcript
    segments: list[dict[str, Any]] = []
    if transcript is not None:
        for seg in transcript.segments:
            segments.append(
                {
                    "id": seg.id,
                    "start": _r(seg.start),
                    "end": _r(seg.end),
                    "speaker": seg.speaker,
                    "speaker_name": label_for(seg.speaker, labels),
                    "text": seg.text.strip(),
                    "words": [
                        {
                            "start": _r(w.start),
                            "end": _r(w.end),
                            "word": w.word,
                            "probability": round(float(w.probability), 4),
                        }
                        for w in seg.words
                    ],
                }
            )
    minutes: dict[str, Any] | None = None
    if result.minutes is not None:
        minutes = result.minutes.to_dict()
        for item in minutes["agenda_items"]:
            item["start"], item["end"] = _r(item["start"]), _r(item["end"])
            for ev in item["evidence"]:
                ev["start"], ev["end"] = _r(ev["start"]), _r(ev["end"])
            _round_events(item.get("procedure", []))
        _round_events(minutes.get("events", []))
    return {
        "schema_version": SCHEMA_VERSION,
        "session": asdict(result.info),
        "language": transcript.language if transcript else None,
        "duration": _r(transcript.duration) if transcript else None,
        "transcript_model": transcript.model if transcript else None,
        "speakers": [{"id": s.id, "name": s.name, "label": s.label} for s in result.speakers],
        "segments": segments,
        "minutes": minutes,
        "attendees": [asdict(a) for a in result.attendees],
        "item_states": list(result.item_states),
        "signoff_state": result.signoff_state,
        "cosigner": result.cosigner,
    }


def _round_events(events: list[dict[str, Any]]) -> None:
    for event in events:
        event["start"], event["end"] = _r(event["start"]), _r(event["end"])
        for ev in event.get("evidence", []):
            ev["start"], ev["end"] = _r(ev["start"]), _r(ev["end"])


def from_json(data: dict[str, Any]) -> ExportResult:
    """Read back what ``to_json`` wrote (for re-export or an edited file)."""
    try:
        version = int(data.get("schema_version", 0))
        if version > SCHEMA_VERSION:
            raise ProjectError(
                "Die JSON-Datei stammt von einer neueren Programmversion "
                f"(Schema {version}) und kann nicht gelesen werden."
            )
        transcript = None
        if data.get("language") is not None or data.get("segments"):
            transcript = Transcript(
                language=str(data.get("language") or ""),
                duration=float(data.get("duration") or 0.0),
                segments=[_segment_from_json(s) for s in data.get("segments", [])],
                model=str(data.get("transcript_model") or ""),
            )
        minutes = Minutes.from_dict(data["minutes"]) if data.get("minutes") is not None else None
        return ExportResult(
            info=SessionInfo.from_dict(data.get("session") or {}),
            speakers=[Speaker(id=str(s["id"]), name=s.get("name")) for s in data.get("speakers", [])],
            transcript=transcript,
            minutes=minutes,
            attendees=[Attendee.from_dict(a) for a in data.get("attendees") or []],
            item_states=[str(x) for x in data.get("item_states") or []],
            signoff_state=str(data.get("signoff_state") or "entwurf"),
            cosigner=str(data.get("cosigner") or ""),
        )
    except ProjectError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ProjectError(f"Die JSON-Datei hat nicht das erwartete Format ({exc}).") from exc


def _segment_from_json(d: dict[str, Any]) -> Segment:
    return Segment(
        id=int(d["id"]),
        start=float(d["start"]),
        end=float(d["end"]),
        text=str(d["text"]),
        words=[
            Word(float(w["start"]), float(w["end"]), str(w["word"]), float(w.get("probability", 1.0)))
            for w in d.get("words", [])
        ],
        speaker=d.get("speaker"),
    )


# ---------------------------------------------------------------------------- dispatcher


def write_export(
    fmt: str,
    path: str | os.PathLike[str],
    result: ExportResult,
    *,
    template: Path | None = None,
    include_transcript: bool = False,
    part: str | None = None,
) -> Path:
    """Write ``result`` as ``fmt`` (txt, srt, vtt, json, docx, oparl) to ``path`` atomically.

    DOCX: ``part`` None writes the public Niederschrift to ``path`` and, when there
    are non-public items, Teil B beside it (``<stem>_TeilB_nichtoeffentlich.docx``);
    "oeffentlich", "nichtoeffentlich" or "gesamt" writes just that part to ``path``.
    TXT, SRT, VTT and JSON with ``part``: only that part (``common.part_bundle``).
    """
    fmt = fmt.lower().lstrip(".")
    target = Path(path)
    if fmt == "docx":
        from .docx import export_niederschrift

        if result.minutes is None:
            raise OutputError("Für den Word-Export fehlt der Entwurf der Niederschrift.")
        if part:
            from .docx import build_niederschrift

            data = build_niederschrift(result, part, template=template, include_transcript=include_transcript)
            write_bytes_atomic(target, data)
            return target
        if target.is_dir():
            raise OutputError(f"„{target}“ ist ein Ordner; bitte einen Dateinamen angeben.")
        # Teil A goes to ``path``; non-public items to a separate "<stem>_TeilB_nichtoeffentlich.docx".
        export_niederschrift(target, result, template, include_transcript=include_transcript, as_file=True)
        return target
    if fmt == "oparl":
        from .oparl import write_oparl

        write_oparl(target, result, part=part or "oeffentlich")
        return target
    if part and fmt in ("json", "txt", "srt", "vtt"):
        result = part_bundle(result, part)  # only that part's items, speech and speakers
    if fmt == "json":
        text = json.dumps(to_json(result), ensure_ascii=False, indent=2) + "\n"
        write_bytes_atomic(target, text.encode("utf-8"))
        return target
    if fmt not in FORMATS:
        raise OutputError(f"Das Exportformat „{fmt}“ wird nicht unterstützt (möglich: {', '.join(FORMATS)}).")
    if result.transcript is None:
        raise OutputError(f"Für den Export als {fmt.upper()} fehlt das Transkript.")
    render = {"txt": to_txt, "srt": to_srt, "vtt": to_vtt}[fmt]
    write_text_atomic(target, render(result.transcript, result.speakers))
    return target
