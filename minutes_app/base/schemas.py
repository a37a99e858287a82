"""Schemas (``base.jsonio``) of the JSON files the program writes and reads back.

They say what the ``from_dict`` of each result dataclass (``base.types``) needs, so a
hand-edited or damaged file is a German "beschädigt" message, never a crash in ``from_dict``.
Keys marked ``?`` may be missing; unknown keys are allowed (a newer version may add some).
"""

from __future__ import annotations

from .jsonio import MapOf

NUMBER = float  # jsonio: any int or float, never a bool
OPT_NUMBER = (float, None)
OPT_TEXT = (str, None)

WORD = {"start": NUMBER, "end": NUMBER, "word": str, "probability?": NUMBER}
SEGMENT = {
    "id": int,
    "start": NUMBER,
    "end": NUMBER,
    "text": str,
    "words?": [WORD],
    "speaker?": OPT_TEXT,
}
TRANSCRIPT = {"language": str, "duration": NUMBER, "segments?": [SEGMENT], "model?": str}
DIARIZATION = {"turns?": [{"start": NUMBER, "end": NUMBER, "speaker": str}], "model?": str}
ALIGN = {"segments": [SEGMENT]}

EVIDENCE = {"start": NUMBER, "end": NUMBER, "segment_ids?": [int]}
PROCEDURE = {
    "kind": str,
    "text": str,
    "start": NUMBER,
    "end": NUMBER,
    "who?": str,
    "detail?": str,
    "evidence?": [EVIDENCE],
}
VOTE = {
    "outcome?": OPT_TEXT,
    "yes?": (int, None),
    "no?": (int, None),
    "abstain?": (int, None),
    "roll_call?": bool,
}
MINUTES_ITEM = {
    "number": (str, int),
    "title?": str,
    "start?": OPT_NUMBER,
    "end?": OPT_NUMBER,
    "discussion?": str,
    "motions?": [str],
    "resolution?": str,
    "vote?": VOTE,
    "evidence?": [EVIDENCE],
    "flags?": [str],
    "public?": object,  # any value: session/teilb.py reads it fail-closed (unknown = non-public)
    "paper?": str,
    "proposal?": str,
    "procedure?": [PROCEDURE],
}
MINUTES = {
    "agenda_items?": [MINUTES_ITEM],
    "model?": str,
    "prompt_version?": str,
    "engine?": str,
    "protocol_type?": str,
    "events?": [PROCEDURE],
}
ASR_PARTIAL = {"key": dict, "transcript": TRANSCRIPT}

# project.load_result(stage): the schema of each stage file (others: any JSON object).
STAGE_FILES = {
    "asr": TRANSCRIPT,
    "diarization": DIARIZATION,
    "align": ALIGN,
    "draft": MINUTES,
    "asr.partial": ASR_PARTIAL,
}

# A model's manifest.json (models/manifest.py) and a bundle's bundle.json (models/bundle.py).
FILE_ENTRY = {"sha256": str, "size": int}
MANIFEST = {"id": str, "kind?": str, "format?": str, "source?": dict, "files": MapOf(dict)}
BUNDLE_INDEX = {
    "format": str,
    "version": object,
    "models": [{"id": str, "kind?": str, "format?": str, "files": MapOf(FILE_ENTRY)}],
}
