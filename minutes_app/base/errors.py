"""Typed errors. Every ``UserError`` carries a German message meant for the user.

The CLI prints ``str(error)`` and exits non-zero; the GUI shows it in a dialog.
Anything that is not a ``UserError`` is a bug and is reported as such.
"""

from __future__ import annotations

import errno


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


class ServerUnavailable(EngineError):
    """A shared inference server could not be reached or kept failing (after the retries).

    The pipeline may go on locally instead (setting ``server_fallback_local``, docs/server.md).
    """


_ERRNO_DE = {
    errno.ENOENT: "nicht gefunden",
    errno.EACCES: "keine Berechtigung",
    errno.EPERM: "keine Berechtigung",
    errno.ENAMETOOLONG: "der Dateiname oder Pfad ist zu lang",
    errno.ENOTDIR: "ein Teil des Pfads ist kein Ordner",
    errno.EISDIR: "ist ein Ordner",
    errno.ELOOP: "zu viele symbolische Verknüpfungen",
    errno.EIO: "Lese- oder Schreibfehler des Datenträgers",
    errno.ENOSPC: "kein Speicherplatz mehr frei",
    errno.EDQUOT: "Speicherkontingent erschöpft",
    errno.EROFS: "der Datenträger ist schreibgeschützt",
    errno.EEXIST: "existiert bereits",
    errno.EBUSY: "wird gerade benutzt",
    errno.ETXTBSY: "wird gerade benutzt",
    errno.ENOTEMPTY: "der Ordner ist nicht leer",
    errno.EXDEV: "liegt auf einem anderen Datenträger",
    errno.EMFILE: "zu viele offene Dateien",
}


def os_reason(exc: BaseException) -> str:
    """The reason of an ``OSError`` in German, for messages (the system's text only for rare cases)."""
    if isinstance(exc, OSError):
        return _ERRNO_DE.get(exc.errno or 0) or exc.strerror or type(exc).__name__
    return str(exc) or type(exc).__name__
