"""Typed errors. Every ``UserError`` carries a German message meant for the user.

The CLI prints ``str(error)`` and exits non-zero; the GUI shows it in a dialog.
Anything that is not a ``UserError`` is a bug and is reported as such.
"""

from __future__ import annotations


class Cancelled(Exception):
    """Raised by a stage when its CancelToken was set. Never a failure."""


class UserError(Exception):
    """An error the user can act on; ``str()`` is a complete German sentence."""

    exit_code = 2


class InvalidAudioError(UserError):
    pass


class ModelMissingError(UserError):
    exit_code = 3


class ModelCorruptError(UserError):
    exit_code = 3


class AgendaError(UserError):
    pass


class OutputError(UserError):
    pass


class ProjectError(UserError):
    pass


class EngineError(UserError):
    pass
