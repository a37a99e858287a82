"""The editors' single call site into the shell's JobRunner (or inline without one).

The editors' work functions take ``(cancel, progress)`` and report failures as
exceptions; the JobRunner (``gui/jobs.py``) calls ``fn(progress, cancel)`` and
reports a German message or a cancellation. This adapter maps between the two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..base.errors import Cancelled, UserError
from ..base.jobs import CancelToken, ProgressFn, no_progress

Work = Callable[[CancelToken, ProgressFn], Any]


def submit(
    jobs: Any,
    work: Work,
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    title: str = "",
    on_progress: Callable[[float, str], None] | None = None,
) -> Any:
    """Run ``work(cancel, progress)`` in the background through ``jobs``; inline if it is None.

    ``on_error`` gets ``Cancelled`` for a cancelled job, a ``UserError`` (German text)
    otherwise. Returns the JobRunner's handle (None inline).
    """
    if jobs is None:
        try:
            result = work(CancelToken(), no_progress)
        except Exception as exc:  # reported to the caller like the JobRunner would
            on_error(exc)
            return None
        on_done(result)
        return None
    return jobs.submit(
        lambda progress, cancel: work(cancel, progress),
        name=title,
        model=True,
        on_result=on_done,
        on_error=lambda message: on_error(UserError(message)),
        on_cancelled=lambda: on_error(Cancelled()),
        on_progress=on_progress,
    )
