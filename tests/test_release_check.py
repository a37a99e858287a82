"""Release is blocked while placeholders, raw speaker ids or open review hints remain (issue 14, B4).

Qt-free (session/release_check.py, session/signoff.py) and through the CLI
(``signoff --freigeben``: German list, exit 2). The signer is the name given or the
Vorsitz/Schriftführung of the header, never the OS login.
"""

from __future__ import annotations

import getpass

import pytest
from support.sessions import processed_project, with_header
from test_cli_e2e import run_cli

from minutes_app.base.errors import ProjectError
from minutes_app.base.types import Minutes, MinutesItem, ProcedureEvent, SessionInfo
from minutes_app.session import release_check, signoff
from minutes_app.session.editing import CONFIRMED, SessionDoc
from minutes_app.session.project import Project


def _draft() -> Minutes:
    return Minutes(
        [
            MinutesItem(
                "2",
                "Radweg",
                discussion="SPEAKER_01 begründet den Antrag. Die Kosten betragen [bitte ergänzen] Euro.",
                resolution="Der Ausschuss beschließt den Radweg.",
                flags=["Zahl „12“ nicht im Transkript belegt – bitte prüfen"],
            ),
            MinutesItem(
                "3",
                "Haushalt",
                discussion="Beraten.",
                procedure=[ProcedureEvent("befangenheit", "", 1.0, 1.5)],
            ),
        ]
    )


@pytest.fixture
def doc(tmp_path) -> SessionDoc:
    processed_project(tmp_path, _draft())
    doc = SessionDoc.open(tmp_path / "p")
    for index in range(len(doc.item_states)):
        doc.set_item_state(index, CONFIRMED)
    doc.save()
    return doc


def test_blockers_name_every_problem_with_its_place(doc) -> None:
    found = release_check.blockers(doc)
    by_kind = {(b.kind, b.item, b.field, b.match or b.hint) for b in found}
    assert (release_check.PLACEHOLDER, 0, "discussion", "[bitte ergänzen]") in by_kind
    assert (release_check.SPEAKER_ID, 0, "discussion", "SPEAKER_01") in by_kind
    assert (release_check.HINT, 0, "flags", 0) in by_kind
    assert (
        release_check.PLACEHOLDER,
        1,
        "resolution",
        None,
    ) in by_kind  # the DOCX would say [bitte ergänzen]
    assert (release_check.PLACEHOLDER, 1, "procedure", None) in by_kind  # Befangenheit without a name
    assert all(b.text and "TOP" in b.text for b in found)
    # the same list for the project on disk (CLI)
    assert release_check.blockers(Project.load(doc.project.folder)) == found


def test_header_gaps_block_release_but_not_review(tmp_path) -> None:
    project = processed_project(tmp_path)
    project.info = SessionInfo(committee="Rat")
    project.attendees = []
    project.save()
    doc = SessionDoc.open(project.folder)
    doc.set_item_state(0, CONFIRMED)
    fields = {b.field for b in release_check.blockers(doc) if b.kind == release_check.HEADER}
    assert fields == {"session_number", "date", "location", "start_time", "end_time", "chair", "recorder"}
    unnamed = {b.speaker for b in release_check.blockers(doc) if b.kind == release_check.SPEAKER_ID}
    assert unnamed == {"SPEAKER_00", "SPEAKER_01"}  # no roster: the DOCX lists the speakers
    assert signoff.mark_reviewed(doc, "Julia Neumann").state == signoff.GEPRUEFT
    with pytest.raises(release_check.ReleaseBlocked) as refused:
        signoff.release(doc, "Peter Lindner")
    assert "Kopfdaten: Ende fehlt" in str(refused.value)
    assert signoff.state(doc.project) == signoff.GEPRUEFT
    assert not (project.folder / "minutes_v1.json").exists()


def test_review_and_release_after_everything_is_fixed(doc) -> None:
    with pytest.raises(release_check.ReleaseBlocked) as refused:
        signoff.mark_reviewed(doc)
    assert "[bitte ergänzen]" in str(refused.value) and "SPEAKER_01" in str(refused.value)
    assert "Beschluss fehlt" not in str(refused.value)  # only the release waits for that
    doc.set_item_field(0, "discussion", "Frau Berg begründet den Antrag. Die Kosten betragen 40.000 Euro.")
    doc.set_item_field(1, "resolution", "Kenntnisnahme.")
    doc.item(1).procedure[0].who = "Herr Brandt"
    doc.set_hints(0, [])
    for index in range(2):
        doc.set_item_state(index, CONFIRMED)
    assert release_check.blockers(doc) == []
    reviewed = signoff.mark_reviewed(doc)  # no name given: the Schriftführung of the roster
    assert reviewed.reviewed_by == "Julia Neumann"
    released = signoff.release(doc)
    assert released.approved_by == "Peter Lindner" != getpass.getuser()


def test_without_a_configured_signer_a_name_must_be_given(tmp_path) -> None:
    project = processed_project(tmp_path)
    project.attendees = [a for a in project.attendees if a.role == "Mitglied"]
    project.save()
    doc = SessionDoc.open(project.folder)
    doc.set_item_state(0, CONFIRMED)
    with pytest.raises(ProjectError, match="Namen der Schriftführung"):
        signoff.mark_reviewed(doc)
    assert signoff.mark_reviewed(doc, signer="Julia Neumann").reviewed_by == "Julia Neumann"


def test_cli_review_and_release_list_the_blockers_and_exit_2(doc) -> None:
    folder = str(doc.project.folder)
    refused = run_cli("signoff", folder, "--pruefen", timeout=120)
    assert refused.returncode == 2, refused.stderr
    assert "[bitte ergänzen]" in refused.stderr and "SPEAKER_01" in refused.stderr
    assert "Traceback" not in refused.stderr
    doc.set_item_field(0, "discussion", "Frau Berg begründet den Antrag.")
    doc.set_hints(0, [])
    for index in range(2):
        doc.set_item_state(index, CONFIRMED)
    doc.save()
    reviewed = run_cli("signoff", folder, "--pruefen", timeout=120)
    assert reviewed.returncode == 0, reviewed.stderr
    released = run_cli("signoff", folder, "--freigeben", timeout=120)
    assert released.returncode == 2, released.stderr
    assert "TOP 3 „Haushalt“: Beschluss fehlt" in released.stderr and "Befangenheit" in released.stderr
    assert "Traceback" not in released.stderr
    project = Project.load(doc.project.folder)
    assert signoff.status(project).reviewed_by == "Julia Neumann"  # from the roster, not the login
    assert signoff.state(project) == signoff.GEPRUEFT


def test_with_header_helper_is_complete(tmp_path) -> None:
    project = with_header(processed_project(tmp_path))
    doc = SessionDoc.open(project.folder)
    assert release_check.blockers(doc) == []
