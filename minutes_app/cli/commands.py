"""Handlers of the CLI subcommands. Each returns an exit code."""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any

from ..base import jsonio
from ..base.errors import UserError
from ..base.fileio import write_json, write_text
from ..base.jobs import CancelToken
from ..base.settings import Settings, data_dir
from ..pipeline.run import PipelineOptions, run_pipeline
from ..session.api import Session
from ..session.project import PROJECT_FILE, Project
from ..session.recording import AudioChange
from ..session.result import SessionResult, load_session
from .paths import check_command_outputs, check_run_outputs, say_kept, with_transcript_skeleton, write_keeping
from .progress import ProgressBar, run_cancellable

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
REOPENED_TEXT = (
    "Hinweis: Die Niederschrift war als geprüft markiert; nach dieser Änderung ist sie wieder ein Entwurf."
)


def _settings() -> Settings:
    return Settings.load()


def _store(settings: Settings):  # type: ignore[no-untyped-def]
    from ..models.store import ModelStore

    return ModelStore.default(settings)


def _language(value: str | None, settings: Settings) -> str | None:
    lang = value or settings.get("language")
    return None if lang == "auto" else lang


def cmd_transcribe(args: argparse.Namespace) -> int:
    from ..asr.whisper import ASROptions, WhisperASR
    from ..audio.decode import decode_audio, probe_audio

    settings = _settings()
    probe_audio(args.audio)
    check_command_outputs([("json", args.output, None)], [args.audio])
    model_dir = _store(settings).get(args.model or settings.get("asr_model")).path
    bar = ProgressBar()

    def job(cancel: CancelToken):  # type: ignore[no-untyped-def]
        audio = decode_audio(args.audio, cancel=cancel)
        asr = WhisperASR(
            model_dir,
            ASROptions(
                language=_language(args.language, settings), threads=args.threads or settings.get("threads")
            ),
        )
        return asr.transcribe(audio, bar, cancel)

    transcript = run_cancellable(job)
    bar.finish()
    write_keeping(args.output, lambda: write_json(args.output, transcript.to_dict()))
    print(f"Transkript gespeichert: {args.output}")
    return 0


def cmd_diarize(args: argparse.Namespace) -> int:
    from ..audio.decode import decode_audio, probe_audio
    from ..diarization.pipeline import DiarizationOptions, diarize

    settings = _settings()
    probe_audio(args.audio)
    check_command_outputs([("rttm", args.rttm, None)], [args.audio])
    model_dir = _store(settings).get(args.model or settings.get("diarization_model")).path
    bar = ProgressBar()
    options = DiarizationOptions(
        num_speakers=args.num_speakers, min_speakers=args.min_speakers, max_speakers=args.max_speakers
    )

    def job(cancel: CancelToken):  # type: ignore[no-untyped-def]
        audio = decode_audio(args.audio, cancel=cancel)
        return diarize(audio, model_dir, options, progress=bar, cancel=cancel)

    result = run_cancellable(job)
    bar.finish()
    write_keeping(args.rttm, lambda: write_text(args.rttm, result.to_rttm(Path(args.audio).stem)))
    print(f"{len(result.speakers)} Sprecher, {len(result.turns)} Redebeiträge: {args.rttm}")
    return 0


def default_project_dir(audio: Path) -> Path:
    """The session of ``audio`` in the per-user library: by its place, else by its content
    (a moved or renamed recording finds its session: nothing is redone)."""
    digest = hashlib.sha1(str(audio.resolve()).encode()).hexdigest()[:8]
    folder = data_dir() / "sessions" / f"{audio.stem}-{digest}"
    if folder.exists() or not audio.is_file():
        return folder
    from ..session.recording import find_by_content

    return find_by_content(folder.parent, audio) or folder


def _prepare_project(args: argparse.Namespace) -> tuple[Project, list[str]]:
    from ..agenda.load import load_agenda
    from ..agenda.roster import load_roster
    from ..audio.decode import probe_audio

    audio = Path(args.audio)
    probe_audio(audio)  # bad audio and bad lists fail before anything is created
    imported = load_agenda(args.agenda) if args.agenda else None
    attendees = load_roster(args.attendees) if args.attendees else []
    folder = Path(args.project) if args.project else default_project_dir(audio)
    if (folder / PROJECT_FILE).exists():
        # A released session is refused before anything is written (no header, no audio).
        project = Project.load(folder)
        session = Session(project)  # recording, header, agenda, attendees: locked, audited
        attached = session.attach_audio(audio)  # other content: the review returns to Entwurf
        kind = "anders" if attached.changed else "gleich"
        project.audio_change = AudioChange(kind, message=" ".join(attached.messages))
    else:
        project = Project.open_or_create(folder, audio)
        session = Session(project)
    info = project.info
    if imported is not None:
        session.set_agenda(imported.items)
        if imported.info is not None:  # OParl: header data of the meeting, where not set
            for key, value in vars(imported.info).items():
                if value and not getattr(info, key) and key != "title":
                    setattr(info, key, value)
        if imported.attendees and not attendees:
            attendees = imported.attendees
    if attendees:
        session.set_attendees(attendees)
    info.committee = args.gremium or info.committee
    info.date = args.datum or info.date
    info.location = args.ort or info.location
    session.set_header(info, protocol_type=getattr(args, "protocol_type", None) or None)
    if any(e.action == "status_geaendert" and e.target == "Niederschrift" for e in session.written):
        print(REOPENED_TEXT, file=sys.stderr)
    return project, [a.name for a in project.attendees if a.present]


def _options(args: argparse.Namespace, settings: Settings, attendees: list[str]) -> PipelineOptions:
    overrides: dict[str, Any] = {
        "language": _language(args.language, settings),
        "num_speakers": args.num_speakers,
        "min_speakers": args.min_speakers,
        "max_speakers": args.max_speakers,
        "attendees": attendees,
        "draft": not args.no_draft,
        "force": args.force,
    }
    for flag, field in (("asr_model", "asr_model"), ("llm_model", "llm_model"), ("engine", "llm_engine")):
        if getattr(args, flag):
            overrides[field] = getattr(args, flag)
    if args.threads is not None:
        overrides["threads"] = args.threads
    return PipelineOptions.from_settings(settings, **overrides)


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings()
    template = settings.get("docx_template") or None
    folder = Path(args.project) if args.project else default_project_dir(Path(args.audio))
    args.project = str(folder)  # found once (by place or content), used by _prepare_project
    check_run_outputs(args, folder, template)  # before any work: nothing an output would destroy
    project, attendees = _prepare_project(args)
    if project.audio_change is not None and project.audio_change.message:
        print(project.audio_change.message, file=sys.stderr)
    options = _options(args, settings, attendees)
    store = _store(settings)
    bar = ProgressBar()
    print(f"Projektordner: {project.folder}", file=sys.stderr)
    result = run_cancellable(lambda cancel: run_pipeline(project, options, store, bar, cancel))
    bar.finish()
    what = "Entwurf" if result.minutes is not None else "Niederschrift ohne Entwurf (Transkript je TOP)"
    for path in _export(with_transcript_skeleton(result), "docx", Path(args.output), template):
        print(f"{what} gespeichert: {path.resolve()}")
    if args.json_out:
        _export(result, "json", Path(args.json_out), None)
        print(f"JSON gespeichert: {Path(args.json_out).resolve()}")
    return 0


def _export(
    result: SessionResult, fmt: str, output: Path, template: str | None, part: str | None = None
) -> list[Path]:
    """The files written; a file found at a target with other content was kept (said here)."""
    from ..session.export import export_session

    done = export_session(result, fmt, output, Path(template) if template else None, part=part)
    say_kept(done.kept)
    return done.written


def cmd_export(args: argparse.Namespace) -> int:
    template = args.template or _settings().get("docx_template") or None
    check_command_outputs([(args.format, args.output, args.part)], [template], args.project)
    project = Project.load(args.project)
    if getattr(args, "entwurf_bestaetigen", False):  # a draft older than the agenda, checked by the user
        Session(project).confirm_draft_for_agenda()
    result = load_session(project)
    for path in _export(result, args.format, Path(args.output), template, args.part):
        print(f"Exportiert: {path.resolve()}")
    return 0


def cmd_speakers(args: argparse.Namespace) -> int:
    project = Project.load(args.project)
    result = load_session(project)
    known = {s.id for s in result.speakers}
    wanted: list[tuple[str, str]] = []
    for assignment in args.set:  # every assignment checked before the first is saved
        speaker_id, sep, name = assignment.partition("=")
        if not sep or not name.strip():
            raise UserError(f"„{assignment}“ hat nicht die Form ID=NAME, z. B. SPEAKER_00=Peter Lindner.")
        if speaker_id not in known:
            raise UserError(
                f"Im Projekt gibt es keinen Sprecher „{speaker_id}“ (vorhanden: {', '.join(sorted(known))})."
            )
        wanted.append((speaker_id, name.strip()))
    moves = _speaker_moves(args, result)
    from ..session.profiles import ProfileStore

    voices = ProfileStore.from_settings(_settings())  # None unless voice profiles are enabled
    session = Session(project)
    # segments first (the profile parts of the speakers whose speech moved follow), then names
    changes = [_move(session, move, voices) for move in moves]
    changes += [session.rename_speaker(speaker_id, name, voices) for speaker_id, name in wanted]
    for line in (line for change in changes for line in change.messages):
        print(line)
    if any(change.reopened for change in changes):
        print(REOPENED_TEXT, file=sys.stderr)
    after = load_session(Project.load(project.folder))  # with the moved segments
    seconds: dict[str, float] = {}
    for seg in after.segments:
        if seg.speaker:
            seconds[seg.speaker] = seconds.get(seg.speaker, 0.0) + seg.end - seg.start
    for speaker in after.speakers:
        print(f"{speaker.id}\t{speaker.label}\t{seconds.get(speaker.id, 0.0):.0f} s")
    return 0


_MOVE_FORMS = {
    "--move": "SEGMENT=SPRECHER, z. B. 12=SPEAKER_01",
    "--merge": "VON=NACH, z. B. SPEAKER_02=SPEAKER_00",
}


def _speaker_moves(args: argparse.Namespace, result: SessionResult) -> list[tuple[str, str, str]]:
    """``--move SEGMENT=ID`` and ``--merge ID=ID`` as (option, from, to), all checked first."""
    known = {s.id for s in result.speakers}
    segments = {str(s.id) for s in result.segments}
    out: list[tuple[str, str, str]] = []
    for option, pairs in (("--move", args.move), ("--merge", args.merge)):
        for pair in pairs:
            left, sep, right = (x.strip() for x in pair.partition("="))
            if not sep or not left or not right:
                raise UserError(f"„{pair}“ hat nicht die Form {_MOVE_FORMS[option]}.")
            if option == "--merge" and left not in known:
                raise UserError(
                    f"Im Projekt gibt es keinen Sprecher „{left}“ (vorhanden: {', '.join(sorted(known))})."
                )
            if option == "--move" and left not in segments:
                raise UserError(f"Im Projekt gibt es kein Segment „{left}“.")
            out.append((option, left, right))
    return out


def _move(session: Session, move: tuple[str, str, str], voices: Any) -> Any:
    option, left, right = move
    if option == "--move":
        return session.set_segment_speaker(int(left), right, voices)
    return session.merge_speaker(left, right, voices)


def cmd_demo(args: argparse.Namespace) -> int:
    audio = EXAMPLES / "beispielsitzung.ogg"
    if not audio.exists():
        raise UserError(f"Die Beispielsitzung fehlt: {audio}")
    out = Path(args.output_dir)
    session = jsonio.read_file(EXAMPLES / "beispielsitzung.json", {"session?": dict}).get("session", {})
    ns = argparse.Namespace(
        audio=str(audio),
        output=str(out / "beispielsitzung_entwurf.docx"),
        json_out=str(out / "beispielsitzung.json"),
        agenda=str(EXAMPLES / "beispielsitzung_tagesordnung.txt"),
        attendees=str(EXAMPLES / "beispielsitzung_anwesende.csv"),
        project=str(out / "projekt"),
        language=None,
        asr_model=None,
        llm_model=args.llm_model,
        engine=None,
        no_draft=False,
        protocol_type=None,
        force=args.force,
        threads=None,
        gremium=session.get("committee"),
        datum=session.get("date"),
        ort=session.get("location"),
        num_speakers=None,
        min_speakers=None,
        max_speakers=None,
    )
    return cmd_run(ns)
