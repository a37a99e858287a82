"""Every option value is checked before any work starts (before a model is even looked up).

``GermanArgumentParser`` turns argparse's own complaints (unknown choice, not a number,
missing argument) into one German sentence with exit 2. ``check_args`` then checks the
values argparse cannot: ranges (threads, speaker counts, batch size), min <= max, model ids,
input files (no FIFO, device or folder where a file is expected) and the effective settings a
command will use (language, engines, device, server addresses, retention days), naming the
allowed values from the choices declared in ``base/settings.py``.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

from ..base.errors import UserError
from ..base.inputs import check_input_file
from ..base.settings import Settings, setting
from ..base.text import clean_line

MAX_THREADS = 1024
MAX_SPEAKERS = 200
MAX_BATCH = 256
MAX_RETENTION_DAYS = 36500
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

_ARGPARSE_DE = (
    (re.compile(r"argument (\S+): invalid choice: '?(.*?)'? \(choose from (.*)\)$", re.S),
    lambda m: f"{m[1]}: „{m[2]}“ ist nicht erlaubt. Möglich sind: {m[3].replace(chr(39), '')}."),
    (re.compile(r"argument (\S+): invalid \S+ value: '(.*)'$", re.S),
    lambda m: f"{m[1]}: „{m[2]}“ ist keine Zahl."),
    (re.compile(r"argument (\S+): expected one argument$"),
    lambda m: f"{m[1]} braucht einen Wert."),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)$"),
    lambda m: f"{m[1]} und {m[2]} schließen sich aus."),
    (re.compile(r"the following arguments are required: (.*)$", re.S),
    lambda m: f"Es fehlen Angaben: {m[1]}."),
    (re.compile(r"unrecognized arguments: (.*)$", re.S),
    lambda m: f"Unbekannte Angaben: {m[1]}. Hilfe mit --help."),
    (re.compile(r"argument (\S+): (.*)$", re.S), lambda m: f"{m[1]}: {m[2]}"),
)  # fmt: skip


def german(message: str) -> str:
    """argparse's English error message in German (unknown ones as they are)."""
    for pattern, build in _ARGPARSE_DE:
        match = pattern.match(message)
        if match:
            return build(match)
    return message


class GermanArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one German line ("Fehler: …") with exit 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"Fehler: {german(message)}\n")


# -- single values ------------------------------------------------------------------------------
def _allowed(key: str) -> str:
    return ", ".join(f"{value} ({label})" for value, label in setting(key).choices)


def check_choice(key: str, value: Any, flag: str) -> str:
    """``value`` if it is one of the declared choices of setting ``key`` (labels are understood)."""
    text = str(value).strip()
    for choice, label in setting(key).choices:
        if text.casefold() in (choice.casefold(), label.casefold(), label.split(" (")[0].casefold()):
            return choice
    raise UserError(f"{flag}: „{text}“ ist nicht erlaubt. Möglich sind: {_allowed(key)}.")


def check_int(value: Any, flag: str, low: int, high: int, meaning: str = "") -> int:
    """``value`` as an int within ``low..high``; a German message naming the range otherwise."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        extra = f" ({meaning})" if meaning else ""
        raise UserError(
            f"{flag}: „{value}“ ist nicht erlaubt. Erlaubt ist eine ganze Zahl von {low} bis {high}{extra}."
        )
    return number


def check_model_id(value: Any, flag: str) -> str:
    text = str(value)
    if not _ID_RE.match(text):
        raise UserError(
            f"{flag}: „{text}“ ist keine gültige Modell-ID (erlaubt: Buchstaben, Ziffern, Punkt, Binde- und "
            "Unterstrich, höchstens 100 Zeichen; installierte Modelle zeigt „minutes-app models list“)."
        )
    return text


def check_speakers(num: Any, low: Any, high: Any) -> tuple[int | None, int | None, int | None]:
    """Speaker counts 1..MAX_SPEAKERS, min <= max, and a fixed number inside min..max."""
    values = []
    for value, flag in ((num, "--num-speakers"), (low, "--min-speakers"), (high, "--max-speakers")):
        values.append(None if value is None else check_int(value, flag, 1, MAX_SPEAKERS))
    n, lo, hi = values
    if lo is not None and hi is not None and lo > hi:
        raise UserError(f"--min-speakers ({lo}) ist größer als --max-speakers ({hi}).")
    if n is not None and (lo is not None and n < lo or hi is not None and n > hi):
        raise UserError(f"--num-speakers ({n}) liegt nicht zwischen --min-speakers und --max-speakers.")
    return n, lo, hi


def _server_url(value: Any, key: str) -> None:
    url = str(value or "").strip()
    if not url:
        raise UserError(
            f"Für die Einstellung „{key}“ ist keine Server-Adresse eingestellt (http:// oder https://)."
        )
    if not re.match(r"^https?://[^/\s?#]+", url, re.I):
        raise UserError(
            f"Die Server-Adresse „{url}“ ({key}) muss mit http:// oder https:// "
            "und einem Rechnernamen beginnen."
        )


# -- a whole command ----------------------------------------------------------------------------
_INPUTS = (
    ("audio", "Die Aufnahme"),
    ("attendees", "Die Anwesenheitsliste"),
    ("template", "Die Word-Vorlage"),
    ("from_bundle", "Das Modellpaket"),
)


def _is_url(value: str) -> bool:
    return "://" in value[:16]


def check_args(args: argparse.Namespace, settings: Settings | None = None) -> None:
    """Check every option of the parsed command line; UserError (exit 2) for the first bad one.

    Runs before the command's handler, so nothing is read, created or loaded before."""
    get = vars(args).get
    for name, what in _INPUTS:
        value = get(name)
        if value and not (name == "attendees" and _is_url(value)):
            check_input_file(value, what)
    if get("agenda") and not _is_url(get("agenda")):
        check_input_file(get("agenda"), "Die Tagesordnung")
    if get("threads") is not None:
        check_int(get("threads"), "--threads", 0, MAX_THREADS, "0: alle Kerne")
    if any(get(k) is not None for k in ("num_speakers", "min_speakers", "max_speakers")):
        check_speakers(get("num_speakers"), get("min_speakers"), get("max_speakers"))
    if get("language"):
        args.language = check_choice("language", get("language"), "--language")
    if get("protocol_type"):
        args.protocol_type = check_choice("protocol_type", get("protocol_type"), "--protocol-type")
    if get("engine"):
        args.engine = check_choice("llm_engine", get("engine"), "--engine")
    for name in ("model", "asr_model"):
        if get(name):
            check_model_id(get(name), f"--{name.replace('_', '-')}")
    for name in ("gremium", "datum", "ort", "user"):  # these reach the DOCX: no control characters
        if get(name):
            setattr(args, name, clean_line(get(name)))
    command = get("command")
    if command in ("run", "transcribe", "diarize", "demo", "signoff", "retention"):
        check_settings(args, settings or Settings.load())


def check_settings(args: argparse.Namespace, settings: Settings) -> None:
    """The settings the command will use (file, environment, admin), before any work."""
    get = vars(args).get
    command = get("command")
    if command in ("signoff", "retention"):
        for key in ("retention_days", "retention_release_days"):
            check_int(settings.get(key), f"Einstellung {key}", 0, MAX_RETENTION_DAYS, "0: aus bzw. sofort")
        return
    check_int(settings.get("threads"), "Einstellung threads", 0, MAX_THREADS, "0: alle Kerne")
    if command in ("transcribe", "run", "demo"):
        check_choice("language", settings.get("language"), "Einstellung language")
        check_choice("device", settings.get("device"), "Einstellung device")
        check_int(
            settings.get("asr_batch_size"), "Einstellung asr_batch_size", 0, MAX_BATCH, "0: automatisch"
        )
        check_model_id(settings.get("asr_model"), "Einstellung asr_model")
    if command in ("diarize", "run", "demo"):
        check_model_id(get("model") or settings.get("diarization_model"), "Einstellung diarization_model")
    if command not in ("run", "demo"):
        return
    asr_engine = check_choice("asr_engine", settings.get("asr_engine"), "Einstellung asr_engine")
    if asr_engine == "server":
        _server_url(settings.get("asr_server_url"), "asr_server_url")
        check_int(settings.get("server_timeout_s"), "Einstellung server_timeout_s", 1, 86400)
        check_int(settings.get("server_retries"), "Einstellung server_retries", 0, 100)
    if get("no_draft"):
        return
    engine = get("engine") or check_choice("llm_engine", settings.get("llm_engine"), "Einstellung llm_engine")
    llm_model = get("llm_model") or settings.get("llm_model")
    if engine == "openai":
        _server_url(settings.get("llm_server_url"), "llm_server_url")
        check_int(settings.get("server_timeout_s"), "Einstellung server_timeout_s", 1, 86400)
        if not str(llm_model).strip() or len(str(llm_model)) > 200:
            raise UserError("--llm-model: bitte den Modellnamen des Servers angeben (höchstens 200 Zeichen).")
    else:
        check_model_id(llm_model, "--llm-model" if get("llm_model") else "Einstellung llm_model")
    from ..drafting.engines import llamacpp_usable

    if engine == "llamacpp" and not llamacpp_usable():
        raise UserError(
            "Die Engine „llamacpp“ ist auf diesem PC nicht installiert oder läuft auf diesem Prozessor "
            "nicht (AVX2 nötig; make llamacpp, docs/install.md); bitte --engine ct2 wählen."
        )
