"""A secretary's day with the desktop app, scripted, with a screenshot of every step
(docs/screenshots/tag_*.png, shown in docs/user_guide.md).

    .venv/bin/python scripts/user_day.py [--seconds N] [--out DIR]      (make user-day)

Starts its own X server (Xvfb) with the openbox window manager (tests/xserver.py), so the
app runs on Qt's xcb platform as on a desktop. A fresh data folder; the recording comes
from the PulseAudio null sink of scripts/ci_audio.sh, into which the example session
(resources/examples) is played in real time: its first N seconds (default 80: TOP 1 and
the start of TOP 2 with three speakers; the whole session is 221 s). The LLM is
qwen2.5-coder-1.5b where installed, else the test profile's qwen2.5-coder-0.5b.

The steps: new session with header, attendees and agenda -> record into it with markers
(F9) -> process -> name the speakers -> correct a segment -> check a draft item against
its evidence -> work off what blocks „geprüft“ -> prüfen -> freigeben -> export -> quit,
start again and reopen. Every step goes through the widgets a secretary uses (buttons,
keys, the dialogs); only file choosers are skipped (the file is handed to the same
function the chooser calls).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "resources" / "examples"
TRUTH = json.loads((EXAMPLES / "beispielsitzung.json").read_text(encoding="utf-8"))
sys.path.insert(0, str(REPO / "tests"))
from xserver import XServer  # noqa: E402

HEADER = {
    "committee": "Ausschuss für Umwelt und Mobilität",
    "session_number": "3",
    "date": "12.03.2025",
    "location": "Rathaus Lindenau, Sitzungssaal 2",
    "start_time": "17:00",
    "end_time": "17:45",
    "chair": "Peter Lindner",
    "recorder": "Julia Neumann",
}


class Day:
    def __init__(self, out: Path, seconds: float, data: Path, live: bool = True) -> None:
        from PySide6.QtWidgets import QApplication

        from minutes_app.base.settings import Settings
        from minutes_app.gui.app import install_qt_translations

        self.out, self.seconds, self.data, self.live = out, seconds, data, live
        self.app = QApplication.instance() or QApplication(["minutes-app"])
        install_qt_translations(self.app)
        self.settings = Settings.load()
        self.window = self.new_window()
        self.folder: Path | None = None
        self.shots: list[str] = []

    # -- helpers -----------------------------------------------------------------------------------
    def new_window(self):  # type: ignore[no-untyped-def]
        from minutes_app.gui.main_window import MainWindow

        window = MainWindow(settings=self.settings)
        window.resize(1280, 800)
        window.move(20, 20)
        window.show()
        self.pump(1.0)
        return window

    def pump(self, seconds: float = 0.3) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.02)

    def wait(self, condition, timeout: float, what: str, fail: bool = True):  # type: ignore[no-untyped-def]
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.app.processEvents()
            result = condition()
            if result:
                return result
            time.sleep(0.05)
        if not fail:
            return None
        self.shot("fehler")
        raise TimeoutError(f"waited {timeout:.0f} s for {what}")

    def shot(self, name: str) -> Path:
        """The screen around the main window and every dialog on top of it, as the user sees it."""
        from PySide6.QtWidgets import QApplication

        self.pump(0.5)
        rect = self.window.frameGeometry()
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and widget is not self.window and widget.isWindow():
                rect = rect.united(widget.frameGeometry())
        screen = QApplication.primaryScreen()
        pixmap = screen.grabWindow(0, rect.x(), rect.y(), rect.width(), rect.height())
        path = self.out / f"tag_{len(self.shots) + 1:02d}_{name}.png"
        pixmap.save(str(path))
        self.shots.append(path.name)
        print(path, flush=True)
        return path

    def click(self, widget) -> None:  # type: ignore[no-untyped-def]
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        assert widget.isVisible() and widget.isEnabled(), f"{widget.text()!r} cannot be clicked"
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
        self.pump(0.3)

    def key(self, widget, key, modifier=None) -> None:  # type: ignore[no-untyped-def]
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        QTest.keyClick(widget, key, modifier or Qt.KeyboardModifier.NoModifier)
        self.pump(0.2)

    def type_into(self, widget, text: str, replace: bool = True) -> None:  # type: ignore[no-untyped-def]
        from PySide6.QtCore import QEvent, Qt
        from PySide6.QtGui import QKeyEvent
        from PySide6.QtTest import QTest

        widget.setFocus()
        if replace:
            QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        for char in text:  # key events with text (QTest.keyClicks knows ASCII only)
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
                self.app.sendEvent(widget, event)
        self.pump(0.2)

    def with_dialog(self, trigger, handle) -> None:  # type: ignore[no-untyped-def]
        """Run ``trigger`` (which opens a modal dialog) and ``handle(dialog)`` once it shows."""
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        done: list[bool] = []

        def poll() -> None:
            dialog = QApplication.activeModalWidget()
            if dialog is None or not dialog.isVisible():
                QTimer.singleShot(100, poll)
                return
            done.append(True)
            handle(dialog)

        QTimer.singleShot(200, poll)
        trigger()
        self.wait(lambda: done, 30, "the dialog")

    # -- the day ----------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Morning: the session with header, attendee list and agenda."""
        w = self.window
        self.click(w.start_view.buttons["start.new"])
        form = w.form
        self.type_into(form.name_edit, "3. Sitzung Umwelt und Mobilität")
        for key, value in HEADER.items():
            self.type_into(form.edits[key], value)
        assert form.import_attendees_file(EXAMPLES / "beispielsitzung_anwesende.csv")
        assert form.import_agenda_file(EXAMPLES / "beispielsitzung_tagesordnung.txt")
        self.shot("sitzung_anlegen")
        self.click(form.save_button)
        self.folder = self.wait(lambda: w.start_view.selected_folder(), 10, "the saved session")
        self.shot("uebersicht")

    def record(self) -> None:
        """The session: record into the prepared session, F9 at each new agenda item."""
        from PySide6.QtCore import Qt

        w = self.window
        self.key(w, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        view = self.wait(lambda: w.record_view, 10, "the record view")
        assert Path(view.folder) == self.folder, f"records into {view.folder}, not {self.folder}"
        wav = self.data / "sitzung.wav"
        _write_example(wav, self.seconds)
        if view.live_check.isChecked() != self.live:  # a click on the box itself
            from PySide6.QtCore import QPoint, Qt
            from PySide6.QtTest import QTest

            QTest.mouseClick(
                view.live_check, Qt.MouseButton.LeftButton, pos=QPoint(8, view.live_check.height() // 2)
            )
            assert view.live_check.isChecked() == self.live
        self.click(view.record_button)
        self.wait(lambda: view.is_recording(), 10, "the recorder")
        player = subprocess.Popen(["paplay", "--device=minutes_null", str(wav)])
        started = time.monotonic()
        marks = [i["start"] for i in TRUTH["agenda_items"][1:] if i["start"] < self.seconds]
        shot_at = min(self.seconds - 5.0, 60.0)  # after the first marker where there is one
        while player.poll() is None:
            now = time.monotonic() - started
            if marks and now >= marks[0] + 1.0:
                marks.pop(0)
                self.key(w, Qt.Key.Key_F9)
            if shot_at and now >= shot_at:
                shot_at = 0
                self.shot("aufnahme")
            self.pump(0.1)
        self.pump(1.5)
        self.click(view.stop_button)
        self.wait(lambda: w.stack.currentWidget() is w.form, 30, "the form after the recording")

    def process(self) -> None:
        from minutes_app.gui.start_view import is_processed
        from minutes_app.session.project import Project

        w = self.window
        self.click(w.form.process_button)
        self.wait(lambda: w.stack.currentWidget() is w.process_view, 30, "the processing view")
        view = w.process_view  # the shot once a stage is under way (or after 3 minutes)
        self.wait(lambda: any(b.value() > 0 for b in view.bars[1:]), 180, "progress", fail=False)
        self.pump(2)
        self.shot("verarbeitung")
        self.wait(lambda: is_processed(Project.load(self.folder)), 3600, "processing")
        self.wait(lambda: w.stack.currentWidget() is w.session_view, 120, "the session view")
        self.pump(3)

    def name_speakers(self) -> None:
        """Listen to each speaker and give the attendee's name (dialog: Sprecher benennen)."""
        view = self.window.session_view.transcript_view
        doc = view.doc
        names = _true_names(doc)
        first = True
        for speaker_id, name in names.items():
            dialog = view.open_rename_dialog(speaker_id)
            self.pump(0.3)
            self.type_into(dialog.name_box.lineEdit(), name)
            if first:
                self.shot("sprecher_benennen")
                first = False
            self.click(dialog.ok_button)
        self.shot("sprecher_benannt")

    def correct_text(self) -> None:
        """A misheard segment: F2, the right words, Enter."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QApplication

        view = self.window.session_view.transcript_view
        row, text = _worst_segment(view.doc)
        index = view.model.index(row)
        view.list.setFocus()
        view.list.setCurrentIndex(index)
        view.list.scrollTo(index)
        self.key(view.list, Qt.Key.Key_F2)
        editor = self.wait(lambda: QApplication.focusWidget() is not view.list, 5, "the text editor")
        editor = QApplication.focusWidget()
        self.type_into(editor, text)
        self.shot("text_korrigieren")
        self.key(editor, Qt.Key.Key_Return)
        assert view.doc.segments[row].text.strip() == text.strip(), view.doc.segments[row].text

    def check_evidence(self) -> None:
        """Entwurf: TOP 2 against what was said (its evidence link)."""
        session = self.window.session_view
        session.tabs.setCurrentIndex(1)
        drafts = session.draft_view
        drafts.select_item(_item_index(drafts.doc, "2"))
        self.shot("entwurf_top2")
        editor = drafts.editor
        item = drafts.doc.item(editor.index)
        span = item.evidence[0] if item.evidence else None
        href = f"{span.start}:{span.end}" if span else f"{item.start}:{item.end}"
        editor.evidence_label.linkActivated.emit(href)  # the click on the link
        self.pump(1.5)
        self.shot("beleg_im_transkript")
        session.tabs.setCurrentIndex(0)

    def review(self) -> None:
        """prüfen: first see what still blocks it, work it off, then „Geprüft“."""
        from minutes_app.session import release_check

        session = self.window.session_view
        session.tabs.setCurrentIndex(1)
        drafts = session.draft_view
        bar = drafts.signoff
        if any(release_check.blocks_review(b) for b in release_check.blockers(drafts.doc)):
            self.click(bar.review_button)  # lists what blocks it, each a link
            self.shot("pruefen_offene_punkte")
        for _round in range(30):  # what blocks prüfen, and what would block freigeben later
            found = release_check.blockers(drafts.doc)
            if not found:
                break
            _fix(self, drafts, found[0])
        for index in range(drafts.items.count()):  # each TOP read and confirmed
            drafts.select_item(index)
            if drafts.editor.confirm_button.isEnabled():
                self.click(drafts.editor.confirm_button)
        self.click(bar.review_button)
        self.wait(lambda: bar.release_button.isEnabled(), 10, "the state geprüft")
        self.shot("geprueft")

    def release(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        bar = self.window.session_view.draft_view.signoff

        def answer(box) -> None:  # type: ignore[no-untyped-def]
            self.shot("freigeben_bestaetigen")
            box.button(QMessageBox.StandardButton.Yes).click()

        self.with_dialog(lambda: self.click(bar.release_button), answer)
        self.wait(lambda: bar.banner.isVisible(), 10, "the release")
        self.shot("freigegeben")

    def export(self) -> Path:
        session = self.window.session_view
        dialog = session.open_export_dialog()
        self.pump(0.5)
        (self.data / "Dokumente").mkdir(exist_ok=True)
        target = self.data / "Dokumente" / "Niederschrift.docx"
        self.type_into(dialog.output, str(target))
        dialog.open_after.setChecked(False)  # no document viewer on this machine
        self.shot("export")
        self.click(dialog.export_button)
        self.wait(lambda: any(target.parent.glob("Niederschrift*.docx")), 120, "the exported DOCX")
        self.pump(1)
        self.shot("export_fertig")
        if dialog.isVisible():
            dialog.close()
        return next(target.parent.glob("Niederschrift*.docx"))

    def reopen(self) -> None:
        """Evening: quit (Strg+Q), start again, the released session from the list."""
        from PySide6.QtCore import Qt

        self.key(self.window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        self.wait(lambda: not self.window.isVisible(), 30, "the window to close")
        self.window = self.new_window()
        self.window.start_view.select(self.folder)
        self.shot("neu_gestartet")
        self.click(self.window.start_view.buttons["start.open"])
        self.wait(lambda: self.window.stack.currentWidget() is self.window.session_view, 30, "the session")
        self.window.session_view.tabs.setCurrentIndex(1)
        self.shot("wieder_geoeffnet")


def _fix(day: Day, drafts, blocker) -> None:  # type: ignore[no-untyped-def]
    """What the Schriftführung does for one blocker, at the place its link leads to."""
    from minutes_app.session import release_check

    truth = {i["number"]: i for i in TRUTH["agenda_items"]}
    drafts.go_to_blocker(blocker)  # the link in the list
    day.pump(0.3)
    editor = drafts.editor
    if blocker.kind == release_check.HINT:
        drafts.resolve_hint(blocker.hint)  # „erledigt“ after checking it against the recording
    elif blocker.field == "resolution":
        item = drafts.doc.item(blocker.item)
        text = truth.get(item.number, {}).get("resolution") or "Der Ausschuss nimmt Kenntnis."
        day.type_into(editor.resolution, text)
    elif blocker.match and blocker.kind == release_check.SPEAKER_ID:
        name = drafts.doc.project.speaker_names.get(blocker.speaker, "")
        day.type_into(day.app.focusWidget(), name or "ein Mitglied", replace=False)  # over the selection
    elif blocker.match:
        day.type_into(day.app.focusWidget(), "", replace=False)
        from PySide6.QtCore import Qt

        day.key(day.app.focusWidget(), Qt.Key.Key_Delete)  # the placeholder goes
    else:
        raise RuntimeError(f"no fix for {blocker.text}")
    day.pump(0.3)


def _write_example(path: Path, seconds: float) -> None:
    import numpy as np

    from minutes_app.audio.decode import decode_audio

    audio = decode_audio(EXAMPLES / "beispielsitzung.ogg")[: int(seconds * 16000)]
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes())


def _offset(doc) -> float:  # type: ignore[no-untyped-def]
    """Where the example's first word lies in the recording (the recorder ran before it played)."""
    return doc.segments[0].start if doc.segments else 0.0


def _true_names(doc) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Speaker id -> the attendee who speaks most of its time (what the secretary hears)."""
    shift = _offset(doc)
    overlap: dict[str, dict[str, float]] = {}
    for seg in doc.segments:
        for turn in TRUTH["turns"]:
            common = min(seg.end - shift, turn["end"]) - max(seg.start - shift, turn["start"])
            if common > 0 and seg.speaker:
                per = overlap.setdefault(seg.speaker, {})
                per[turn["speaker_name"]] = per.get(turn["speaker_name"], 0.0) + common
    return {sid: max(per, key=per.__getitem__) for sid, per in sorted(overlap.items())}


def _worst_segment(doc) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """A segment that lies inside one turn, and the words really said there (the turn's
    sentences it covers)."""
    import difflib

    shift = _offset(doc)
    best = (0.0, 0, "")
    for row, seg in enumerate(doc.segments):
        for turn in TRUTH["turns"]:
            if turn["start"] - 0.5 <= seg.start - shift and seg.end - shift <= turn["end"] + 0.5:
                sentences = [s.strip() + "." for s in turn["text"].split(".") if s.strip()]
                match = max(
                    (
                        " ".join(sentences[i:j])
                        for i in range(len(sentences))
                        for j in range(i + 1, len(sentences) + 1)
                    ),
                    key=lambda t: difflib.SequenceMatcher(None, t, seg.text.strip()).ratio(),
                )
                ratio = difflib.SequenceMatcher(None, match, seg.text.strip()).ratio()
                if 0.6 < ratio < 0.97 and 1 - ratio > best[0]:
                    best = (1 - ratio, row, match)
    return best[1], best[2]


def _item_index(doc, number: str) -> int:  # type: ignore[no-untyped-def]
    return next(i for i, item in enumerate(doc.minutes.agenda_items) if item.number == number)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=80.0, help="how much of the example (default 80)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--no-live", action="store_true", help="record without Live-Mitschrift")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="user-day-"))
    (data / "config").mkdir()
    llm = "qwen2.5-coder-1.5b"
    from minutes_app.base.settings import data_dir

    store = Path(os.environ.get("MINUTES_APP_MODELS") or data_dir() / "models")
    os.environ.setdefault("MINUTES_APP_MODELS", str(store))
    if not (store / llm).is_dir():
        llm = "qwen2.5-coder-0.5b"  # the test profile's LLM
    (data / "config" / "settings.json").write_text(json.dumps({"llm_model": llm}), encoding="utf-8")
    os.environ.update(
        MINUTES_APP_DATA=str(data), MINUTES_APP_CONFIG=str(data / "config"), QT_SCALE_FACTOR="1.25"
    )
    pulse = Path(os.environ.get("MINUTES_PULSE_DIR", "/tmp/minutes-pulse")) / "native"
    os.environ.setdefault("PULSE_SERVER", f"unix:{pulse}")
    os.environ.setdefault("PULSE_SOURCE", "minutes_null.monitor")
    with XServer(1920, 1200) as x:
        os.environ.update(DISPLAY=x.display, QT_QPA_PLATFORM="xcb")
        day = Day(args.out, args.seconds, data, live=not args.no_live)
        started = time.monotonic()
        for step in (day.prepare, day.record, day.process, day.name_speakers, day.correct_text):
            step()
        for step in (day.check_evidence, day.review, day.release, day.export, day.reopen):
            step()
        day.window.close()
        print(f"{len(day.shots)} screenshots in {time.monotonic() - started:.0f} s; LLM {llm}; data {data}")


if __name__ == "__main__":
    main()
