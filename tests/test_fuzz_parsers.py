"""Hypothesis fuzzing of every parser that reads a user's file or a model's output.

Each must return a well-formed result or raise its German ``UserError`` subclass, nothing else.
Already fuzzed elsewhere (not repeated here): agenda text lines, agenda files as raw bytes and
behind PDF/ZIP/JSON headers (``test_agenda_bad_input.py``), roster plain text (``test_roster.py``),
``parse_llm_json``/``parse_item_draft`` on free text, structural noise and cut-off JSON
(``test_drafting_jsonrepair.py``).
"""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minutes_app.agenda.load import load_agenda
from minutes_app.agenda.roster import load_roster
from minutes_app.audio.decode import probe_audio
from minutes_app.base.errors import (
    AgendaError,
    InvalidAudioError,
    ModelCorruptError,
    ModelMissingError,
    ProjectError,
    UserError,
)
from minutes_app.base.settings import Settings
from minutes_app.base.types import Vote
from minutes_app.cli.session_cmd import parse_clock
from minutes_app.drafting.itemjson import ItemDraft, parse_item_draft
from minutes_app.models.store import ModelStore
from minutes_app.session.project import Project

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SMALL = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=25,
)


def _write(path: Path, obj: Any) -> Path:
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


# -- OParl JSON (agenda and roster) ----------------------------------------------------------------
OPARL = "https://schema.oparl.org/1.1/"
person = st.fixed_dictionaries(
    {"type": st.just(OPARL + "Person")},
    optional={
        k: json_values | st.text(max_size=20)
        for k in ("name", "givenName", "familyName", "formOfAddress", "title", "membership", "deleted")
    },
)
agenda_item = st.fixed_dictionaries(
    {"type": st.just(OPARL + "AgendaItem")},
    optional={
        k: json_values for k in ("number", "name", "public", "consultation", "resolutionText", "order")
    },
)
meeting = st.fixed_dictionaries(
    {"type": st.sampled_from([OPARL + "Meeting", "https://schema.oparl.org/1.0/Meeting", 5, None])},
    optional={
        "agendaItem": st.lists(agenda_item | json_values, max_size=6) | json_values,
        "participant": st.lists(person | json_values, max_size=4) | json_values,
        "start": json_values | st.just("2025-03-12T18:00:00+01:00"),
        "end": json_values,
        "name": json_values,
        "location": json_values | st.fixed_dictionaries({"description": json_values}),
        "organization": json_values,
    },
)


@FUZZ
@given(meeting)
def test_fuzz_oparl_meeting_file(tmp_path: Path, obj: dict[str, Any]) -> None:
    path = _write(tmp_path / "sitzung.json", obj)
    try:
        imported = load_agenda(path)
    except AgendaError:
        return
    assert imported.kind == "oparl" and imported.items
    assert all(isinstance(i.number, str) and isinstance(i.title, str) for i in imported.items)


@FUZZ
@given(st.lists(person | json_values, max_size=5) | person | meeting | json_values)
def test_fuzz_oparl_roster_file(tmp_path: Path, obj: Any) -> None:
    path = _write(tmp_path / "personen.json", obj)
    with contextlib.suppress(AgendaError):
        people = load_roster(path)
        assert people and all(isinstance(p.name, str) for p in people)


# -- roster CSV ----------------------------------------------------------------------------------
headers = st.sampled_from(
    ["Name", "Vorname", "Nachname", "Fraktion", "Rolle", "Status", "Vertretung", "Ankunft", "Anrede", "x", ""]
)
cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=25)


@FUZZ
@given(
    st.lists(headers, min_size=1, max_size=6),
    st.lists(st.lists(cells, max_size=7), max_size=8),
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_fuzz_roster_csv(
    tmp_path: Path, header: list[str], rows: list[list[str]], sep: str, enc: str
) -> None:
    text = "\n".join(sep.join(r) for r in [header, *rows])
    path = tmp_path / "liste.csv"
    path.write_bytes(text.encode(enc, errors="replace"))
    try:
        people = load_roster(path)
    except AgendaError:
        return
    assert all(p.name.strip() for p in people)
    assert all(isinstance(p.present, bool) for p in people)


# -- model output: validated field by field ---------------------------------------------------------------
alias_keys = st.sampled_from(
    ["discussion", "Beratung", "motions", "anträge", "resolution", "Beschluss", "vote", "abstimmung", "x"]
)
vote_like = st.dictionaries(
    st.sampled_from(
        ["outcome", "ergebnis", "yes", "ja", "no", "nein", "abstain", "enthaltungen", "segments"]
    ),
    json_values | st.sampled_from(["einstimmig", "mehrheitlich abgelehnt", "zwanzig", "12 Stimmen", "-3"]),
    max_size=6,
)


@FUZZ
@given(st.dictionaries(alias_keys, json_values | vote_like, max_size=6), st.booleans())
def test_fuzz_item_draft_fields(obj: dict[str, Any], fenced: bool) -> None:
    text = json.dumps(obj, ensure_ascii=False)
    draft = parse_item_draft(f"```json\n{text}\n```" if fenced else text)
    assert isinstance(draft, ItemDraft) and not draft.error
    assert draft.discussion is None or isinstance(draft.discussion, str)
    assert draft.resolution is None or isinstance(draft.resolution, str)
    assert draft.motions is None or all(isinstance(m, str) and m for m in draft.motions)
    assert all(isinstance(i, int) and 0 <= i <= 2000 for i in draft.vote_segments)
    if draft.vote is not None:
        assert isinstance(draft.vote, Vote)
        for count in (draft.vote.yes, draft.vote.no, draft.vote.abstain):
            assert count is None or (type(count) is int and 0 <= count <= 2000)
        assert draft.vote.outcome is None or draft.vote.outcome.endswith(("zugestimmt", "abgelehnt"))


# -- the CLI's clock parser -----------------------------------------------------------------------------
@FUZZ
@given(st.text(max_size=20) | st.from_regex(r"\A\d{1,3}(:\d{1,2}){0,2}([.,]\d{1,3})?\Z"))
def test_fuzz_parse_clock(text: str) -> None:
    try:
        seconds = parse_clock(text)
    except UserError as exc:
        assert "keine Zeitangabe" in str(exc)
        return
    assert isinstance(seconds, float) and seconds >= 0


def test_parse_clock_stays_finite() -> None:
    with contextlib.suppress(UserError):
        assert math.isfinite(parse_clock("9" * 400))


# -- settings.json and project.json -----------------------------------------------------------------------
@SMALL
@given(
    json_values | st.dictionaries(st.sampled_from(["settings_version", "threads", "asr_model"]), json_values)
)
def test_fuzz_settings_file(tmp_path: Path, obj: Any) -> None:
    path = _write(tmp_path / "settings.json", obj)
    with contextlib.suppress(UserError):
        Settings.load(path, tmp_path / "keine_systemdatei.json")


@FUZZ
@given(json_values | st.dictionaries(st.sampled_from(["schema_version", "stages", "agenda"]), json_values))
def test_fuzz_project_file(tmp_path: Path, obj: Any) -> None:
    _write(tmp_path / "project.json", obj)
    with contextlib.suppress(ProjectError):
        project = Project.load(tmp_path)
        assert isinstance(project.data, dict)


@SMALL
@given(st.binary(max_size=300))
def test_fuzz_project_file_bytes(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "project.json").write_bytes(data)
    with contextlib.suppress(ProjectError):
        Project.load(tmp_path)


# -- model manifests and media headers -----------------------------------------------------------------
@FUZZ
@given(
    st.fixed_dictionaries(
        {
            "id": st.just("eigenes-modell"),
            "files": json_values | st.dictionaries(st.text(max_size=12), json_values),
        },
        optional={"kind": json_values, "format": json_values, "source": json_values},
    )
)
def test_fuzz_model_manifest(tmp_path: Path, manifest: dict[str, Any]) -> None:
    folder = tmp_path / "eigenes-modell"
    folder.mkdir(exist_ok=True)
    (folder / "model.bin").write_bytes(b"12345")
    _write(folder / "manifest.json", manifest)
    store = ModelStore(tmp_path)
    with contextlib.suppress(ModelMissingError, ModelCorruptError):
        assert store.get("eigenes-modell").path == folder
    assert [r.id for r in store.verify(["eigenes-modell"])] == ["eigenes-modell"]


@SMALL
@given(
    st.sampled_from(
        [
            b"RIFF\x24\x00\x00\x00WAVEfmt ",
            b"fLaC",
            b"OggS",
            b"ID3\x04",
            b"\x1aE\xdf\xa3",
            b"\x00\x00\x00\x18ftypM4A ",
        ]
    ),
    st.binary(max_size=400),
)
def test_fuzz_media_headers(tmp_path: Path, head: bytes, tail: bytes) -> None:
    path = tmp_path / "aufnahme.bin"
    path.write_bytes(head + tail)
    with contextlib.suppress(InvalidAudioError):
        assert probe_audio(path) >= 0


# -- the one JSON reader and the stage files (issue 15) ---------------------------------------------
@FUZZ
@given(st.binary(max_size=200) | st.text(alphabet='[]{}":,0123456789.-eE tfnrulas\\', max_size=200))
def test_fuzz_jsonio_raises_only_bad_json(data: bytes | str) -> None:
    from minutes_app.base import jsonio

    with contextlib.suppress(jsonio.BadJSON):
        value = jsonio.loads(data, max_depth=8)
        assert jsonio.depth(value) <= 8


def _maybe(good: Any) -> Any:
    """Mostly the right value, sometimes any JSON value in its place."""
    return st.one_of(good, json_values)


_word = st.fixed_dictionaries(
    {"start": _maybe(st.floats(0, 10)), "end": _maybe(st.floats(0, 10)), "word": _maybe(st.text(max_size=5))},
    optional={"neu": json_values},  # a key a newer version (or a hand edit) added
)
_segment = st.fixed_dictionaries(
    {
        "id": _maybe(st.integers(0, 5)),
        "start": _maybe(st.floats(0, 10)),
        "end": _maybe(st.floats(0, 10)),
        "text": _maybe(st.text(max_size=8)),
    },
    optional={"words": st.lists(_word, max_size=2) | json_values, "speaker": _maybe(st.just("SPEAKER_00"))},
)
_item = st.fixed_dictionaries(
    {"number": _maybe(st.just("1"))},
    optional={
        "title": _maybe(st.text(max_size=5)),
        "start": _maybe(st.floats(0, 10)),
        "vote": _maybe(st.fixed_dictionaries({}, optional={"yes": _maybe(st.integers(0, 9))})),
        "evidence": _maybe(
            st.lists(st.fixed_dictionaries({"start": _maybe(st.floats()), "end": st.floats()}))
        ),
        "procedure": _maybe(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "kind": _maybe(st.just("antrag")),
                        "text": st.text(max_size=3),
                        "start": st.floats(0, 1),
                        "end": st.floats(0, 1),
                    }
                ),
                max_size=1,
            )
        ),
        "motions": _maybe(st.lists(st.text(max_size=3), max_size=2)),
    },
)
STAGES = {
    "asr": st.fixed_dictionaries(
        {"language": _maybe(st.just("de")), "duration": _maybe(st.floats(0, 10))},
        optional={"segments": st.lists(_segment, max_size=3) | json_values},
    ),
    "diarization": st.fixed_dictionaries(
        {},
        optional={
            "turns": st.lists(
                st.fixed_dictionaries(
                    {
                        "start": _maybe(st.floats(0, 9)),
                        "end": st.floats(0, 9),
                        "speaker": _maybe(st.just("S")),
                    },
                    optional={"neu": json_values},
                ),
                max_size=3,
            )
            | json_values
        },
    ),
    "align": st.fixed_dictionaries({"segments": st.lists(_segment, max_size=3) | json_values}),
    "draft": st.fixed_dictionaries({}, optional={"agenda_items": st.lists(_item, max_size=2) | json_values}),
}


@FUZZ
@given(
    st.sampled_from(sorted(STAGES)).flatmap(
        lambda stage: st.tuples(st.just(stage), STAGES[stage] | json_values)
    )
)
def test_fuzz_stage_files_are_read_or_refused_as_damaged(tmp_path: Path, case: tuple[str, Any]) -> None:
    """Whatever a stage file holds: its result object, or ProjectError ("beschädigt") — never a crash."""
    from minutes_app.base.types import Diarization, Minutes, Segment, Transcript

    stage, obj = case
    folder = tmp_path / "p"
    folder.mkdir(exist_ok=True)
    project = Project(folder, {})
    _write(project.stage_file(stage), obj)
    build = {
        "asr": Transcript.from_dict,
        "diarization": Diarization.from_dict,
        "align": lambda d: [Segment.from_dict(s) for s in d["segments"]],
        "draft": Minutes.from_dict,
    }[stage]
    with contextlib.suppress(ProjectError):
        build(project.load_result(stage))
