"""The editors' single call site into the shell's JobRunner (or inline without one).

The editors' work functions take ``(progress, cancel)`` like every long operation and
report failures as exceptions; the JobRunner (``gui/jobs.py``) reports a German message
or a cancellation. This adapter maps its reports to the editors' two callbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..base.errors import Cancelled, UserError
from ..base.jobs import CancelToken, ProgressFn, no_progress

Work = Callable[[ProgressFn, CancelToken], Any]


def submit(
    jobs: Any,
    work: Work,
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    title: str = "",
    on_progress: Callable[[float, str], None] | None = None,
) -> Any:
    """Run ``work(progress, cancel)`` in the background through ``jobs``; inline if it is None.

    ``on_error`` gets ``Cancelled`` for a cancelled job, a ``UserError`` (German text)
    otherwise. Returns the JobRunner's handle (None inline).
    """
    if jobs is None:
        try:
            result = work(no_progress, CancelToken())
        except Exception as exc:  # reported to the caller like the JobRunner would
            on_error(exc)
            return None
        on_done(result)
        return None
    return jobs.submit(
        work,
        name=title,
        model=True,
        on_result=on_done,
        on_error=lambda message: on_error(UserError(message)),
        on_cancelled=lambda: on_error(Cancelled()),
        on_progress=on_progress,
    )
