"""Recording consent: a speaker who objected is left out of the draft input and every export."""

from __future__ import annotations

import json

from test_gui_editors import project_dir  # noqa: F401  (a processed session on real audio)

from minutes_app.base.jobs import CancelToken, no_progress
from minutes_app.base.types import Minutes
from minutes_app.pipeline.run import PipelineOptions, _draft
from minutes_app.session import privacy
from minutes_app.session.export import export_session
from minutes_app.session.project import Project
from minutes_app.session.result import load_session

OBJECTED_TEXT = "feuchtfröhlich"


def test_objecting_speaker_is_left_out_of_exports_and_draft(project_dir, tmp_path, monkeypatch):  # noqa: F811
    project = Project.load(project_dir)
    privacy.set_objection(project, "SPEAKER_01", True)
    result = load_session(Project.load(project_dir))

    export_session(result, "txt", tmp_path / "t.txt")
    text = (tmp_path / "t.txt").read_text(encoding="utf-8")
    assert "Ich rufe TOP 1 auf" in text and OBJECTED_TEXT not in text
    export_session(result, "json", tmp_path / "t.json")
    data = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert all(s["speaker"] != "SPEAKER_01" for s in data["segments"])
    assert "SPEAKER_01" not in [s["id"] for s in data["speakers"]]
    export_session(result, "docx", tmp_path / "t.docx", include_transcript=True)
    from docx import Document

    body = "\n".join(p.text for p in Document(str(tmp_path / "t.docx")).paragraphs)
    assert OBJECTED_TEXT not in body

    seen: dict = {}

    def fake_request(**kwargs):
        seen.update(kwargs)
        return Minutes([])

    monkeypatch.setattr("minutes_app.drafting.draft.draft_request", fake_request)
    options = PipelineOptions(parallel=False, llm_engine="openai")
    _draft(result.project, options, None, result.segments, result.speakers, no_progress, CancelToken())
    assert seen["segments"] and all(s.speaker != "SPEAKER_01" for s in seen["segments"])
    # Taking the objection back makes the draft stale (its key names the objecting speakers).
    stage_key = result.project.data["stages"]["draft"]["key"]
    assert stage_key["objected"] == ["SPEAKER_01"]
