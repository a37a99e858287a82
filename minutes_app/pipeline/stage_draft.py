"""Pipeline stage draft: the minutes from the aligned transcript, in a worker process."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.errors import Cancelled
from ..base.jobs import CancelToken, ProgressFn
from ..base.types import Minutes, Segment, Speaker
from ..session.project import Project

if TYPE_CHECKING:
    from .run import PipelineOptions


def _draft(
    project: Project,
    options: PipelineOptions,
    llm_dir: Path | None,
    segments: list[Segment],
    speakers: list[Speaker],
    progress: ProgressFn,
    cancel: CancelToken,
) -> Minutes:
    from ..drafting.draft import DraftOptions, draft_request, draft_templates, input_digest
    from ..drafting.engines import resolve_kind
    from ..drafting.prompts import prompt_version
    from ..drafting.replies import FILE as REPLIES_FILE
    from ..session.privacy import excluded_segments

    segments, _ = excluded_segments(project, segments)  # speakers who objected are not drafted
    draft_options = DraftOptions(protocol_type=project.protocol_type or options.protocol_type)
    markers = project.markers
    starts = project.item_starts
    key: dict[str, Any] = {
        "engine": resolve_kind(options.llm_engine, llm_dir, options.device),
        "model": options.llm_model,
        "prompts": prompt_version(draft_templates(draft_options)),
        "options": {k: v if not isinstance(v, Path) else str(v) for k, v in vars(draft_options).items()},
        "agenda": project.data.get("agenda", []),
        "names": project.speaker_names,
        "roster": project.data.get("attendees", []),
        "markers": [list(m) for m in markers],  # as read back from project.json
        "starts": starts,
        "objected": sorted(project.objected_speakers),
    }
    if project.is_done("draft", key):
        return Minutes.from_dict(project.load_result("draft"))
    names = {s.id: s.label for s in speakers}
    request: dict[str, Any] = {
        "segments": segments,
        "names": names,
        "agenda": project.agenda or None,
        "roster": project.attendees or None,  # Fraktion and role beside the names in the draft
        **engine_request(options, llm_dir),
        "draft_options": draft_options,
        "markers": markers,
        "starts": starts,
        # Finished items are saved as they come (from the worker), so a re-run drafts only the rest.
        "partial_path": str(project.folder / "draft.partial.json"),
        "partial_key": {**key, "input": input_digest(segments, names)},
        "replies_path": str(project.folder / REPLIES_FILE),  # e.g. drafted while recording
    }
    if options.parallel:  # own process: the LLM's memory is returned when it ends
        from ..base.worker import WorkerStage

        minutes = WorkerStage("minutes_app.drafting.draft:draft_request", **request).wait(progress, cancel)
    else:
        minutes = draft_request(**request, progress=progress, cancel=cancel)
    if cancel.cancelled:
        raise Cancelled()
    project.save_result("draft", key, minutes.to_dict())
    Path(request["partial_path"]).unlink(missing_ok=True)
    from ..session import audit, signoff

    audit.append(project, signoff.sync_draft(project, minutes))  # "entwurf_erzeugt"; items unreviewed
    project.save()
    return minutes


def engine_request(options: PipelineOptions, llm_dir: Path | None) -> dict[str, Any]:
    """``engine_kind``, ``llm_dir`` and ``engine_args`` of ``draft_request`` (also the live pre-draft's)."""
    return {
        "engine_kind": options.llm_engine,
        "llm_dir": str(llm_dir) if llm_dir else None,
        "engine_args": {
            "threads": options.resolved_threads(),
            "device": options.device,  # "auto": CUDA with float16 where there is one
            "server_url": options.llm_server_url,
            "api_key": options.llm_api_key,
            "model_id": options.llm_model,
            "timeout_s": options.server_timeout_s,
            "retries": options.server_retries,
            # Server down: draft on this PC; Minutes.engine and the audit entry say so.
            "fallback_local": options.server_fallback_local,
            "fallback_dir": _fallback_dir(options),
        },
    }


def _fallback_dir(options: PipelineOptions) -> str | None:
    """The local LLM folder to go on with when the LLM server is down (found once, here)."""
    if options.llm_engine != "openai" or not options.server_fallback_local:
        return None
    from ..models.store import local_llm_dir

    folder = local_llm_dir(options.llm_model)
    return str(folder) if folder else None
