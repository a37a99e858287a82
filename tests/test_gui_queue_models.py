"""The processing view's queue keeps the models loaded while more sessions wait and hands
them back when the queue is empty (the pipeline itself is replaced by a recorder here;
tests/test_throughput.py runs the real one)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from minutes_app.base import model_cache  # noqa: E402
from minutes_app.base.settings import Settings  # noqa: E402
from minutes_app.gui.jobs import JobRunner  # noqa: E402
from minutes_app.session.project import Project  # noqa: E402

AUDIO = Path(__file__).resolve().parent.parent / "resources" / "examples" / "beispielsitzung.ogg"


def test_queue_keeps_models_between_sessions_and_releases_at_the_end(qtbot, monkeypatch, tmp_path):
    from minutes_app.gui import process_view as pv_module
    from minutes_app.gui.process_view import ProcessView

    folders = [Project.open_or_create(tmp_path / f"s{i}", AUDIO).folder for i in range(3)]
    seen: list[tuple[Path, bool, bool]] = []

    def recorder(project, options, store, progress, cancel):
        if options.keep_models_loaded:
            model_cache.retain()
        seen.append((project.folder, options.keep_models_loaded, model_cache.retaining()))
        raise RuntimeError("nur aufgezeichnet")

    monkeypatch.setattr(pv_module, "run_pipeline", recorder)
    jobs = JobRunner()
    view = ProcessView(jobs, lambda: Settings({}, tmp_path / "s.json"))
    qtbot.addWidget(view)
    view.start(folders)
    qtbot.waitUntil(lambda: len(seen) == 3 and not view.running, timeout=10000)
    assert [keep for _, keep, _ in seen] == [True, True, False]  # the last one hands them back
    assert [retained for _, _, retained in seen] == [True, True, True]
    assert not model_cache.retaining()  # the queue ran empty (here: with errors): released
    jobs.shutdown(5000)

    seen.clear()
    view2 = ProcessView(JobRunner(), lambda: Settings({}, tmp_path / "s.json"))
    qtbot.addWidget(view2)
    view2.start(folders[:1])  # a single session keeps nothing
    qtbot.waitUntil(lambda: len(seen) == 1 and not view2.running, timeout=10000)
    assert seen[0][1:] == (False, False)
