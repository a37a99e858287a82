"""Crash-safe recording from a microphone (Qt-free).

The PortAudio callback only copies each block into a queue. One writer thread
does all disk work: it appends the blocks to ``<stem>.part.wav`` (a growing
PCM16 WAV, see ``wavfile``), rewrites the header and fsyncs every
``chunk_seconds`` of audio, keeps the level for the meter and saves markers in
the sidecar. ``stop()`` fits the header and renames the file to ``<stem>.wav``
(atomic, no copy). WAV and sidecar are owner-only (0600, see base/fileio.py).
After a crash or power cut ``find_unfinished`` + ``recover`` give a valid WAV
with everything that reached the disk; see docs/recording.md.

``sounddevice`` (which needs the PortAudio library) is imported only inside
functions.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import math
import os
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..base.errors import UserError, os_reason
from ..base.fileio import make_private, private_dirs
from .recovery import (
    PART_SUFFIX,
    Marker,
    RecordingError,
    find_unfinished,
    finish_part,
    load_markers,
    new_sidecar,
    now_iso,
    recover,
    sidecar_path,
    write_sidecar,
)
from .wavfile import GrowingWav

__all__ = [
    "DEFAULT_MARKER_LABEL",
    "InputDevice",
    "Level",
    "Marker",
    "Recorder",
    "RecordingError",
    "find_unfinished",
    "input_devices",
    "load_markers",
    "recover",
]

DEFAULT_MARKER_LABEL = "nächster Tagesordnungspunkt"
PREFERRED_RATE = 16000
BLOCK_SECONDS = 0.1  # one callback block: also the meter's update step
MIN_DBFS = -90.0

_NO_DEVICE = (
    "Es wurde kein Aufnahmegerät (Mikrofon) gefunden. Bitte ein Mikrofon anschließen, "
    "es in den Systemeinstellungen freigeben und die Geräteliste aktualisieren."
)


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int
    default_samplerate: float
    is_default: bool


@dataclass(frozen=True)
class Level:
    rms_dbfs: float
    peak_dbfs: float


SILENT = Level(MIN_DBFS, MIN_DBFS)


def _sd() -> Any:
    try:
        import sounddevice
    except OSError as exc:  # the PortAudio library is missing
        raise RecordingError(
            "Die Audio-Bibliothek PortAudio fehlt; ohne sie kann nicht aufgenommen werden. "
            "Bitte das Paket „libportaudio2“ installieren."
        ) from exc
    return sounddevice


def input_devices(refresh: bool = False) -> list[InputDevice]:
    """Capture devices PortAudio knows.

    ``refresh`` re-initialises PortAudio to see devices plugged in since start.
    That closes every open PortAudio stream of the process (also a playing
    player's), so call it only while nothing records or plays.
    """
    sd = _sd()
    if refresh:
        sd._terminate()
        sd._initialize()
    try:
        default = sd.default.device[0]
        if default is None or default < 0:
            default = sd.query_hostapis(0)["default_input_device"]
    except Exception:
        default = -1
    return [
        InputDevice(i, d["name"], int(d["max_input_channels"]), float(d["default_samplerate"]), i == default)
        for i, d in enumerate(sd.query_devices())
        if d["max_input_channels"] > 0
    ]


def block_level(block: np.ndarray) -> Level:
    """RMS and peak of an int16 block in dBFS (floored at MIN_DBFS)."""
    if block.size == 0:
        return SILENT
    x = block.astype(np.float32) / 32768.0
    peak = float(np.abs(x).max())
    rms = float(np.sqrt(np.mean(x * x)))

    def db(v: float) -> float:
        return max(MIN_DBFS, 20.0 * math.log10(v)) if v > 0 else MIN_DBFS

    return Level(db(rms), db(peak))


def _write_error_message(exc: OSError, seconds: float) -> str:
    at = f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "Der Datenträger ist voll."
    elif exc.errno == errno.EFBIG:
        why = "Die Aufnahmedatei hat die größtmögliche Länge erreicht."
    else:
        why = f"Die Aufnahmedatei kann nicht weiter geschrieben werden ({os_reason(exc)})."
    return (
        f"{why} Die Aufnahme wurde bei {at} angehalten; alles bis dahin Aufgenommene ist gesichert. "
        "Bitte Speicherplatz freigeben und eine neue Aufnahme starten."
    )


class Recorder:
    """Record one input device into ``folder``; see the module doc.

    States: ``idle`` -> ``recording`` <-> ``paused`` -> ``stopped``; a write error
    moves to ``failed`` (``error`` holds the German message; ``stop()`` still
    returns the file with what was recorded).
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        device: int | str | None = None,
        samplerate: int | None = None,
        channels: int = 1,
        chunk_seconds: float = 1.0,
    ) -> None:
        self.folder = Path(folder)
        self.device = device
        self.samplerate = samplerate
        self.channels = channels
        self.chunk_seconds = chunk_seconds
        self.state = "idle"
        self.error: RecordingError | None = None
        self.part_path: Path | None = None
        self.path: Path | None = None
        self.markers: list[Marker] = []
        self.overflows = 0
        self._paused = False
        self._accepted = 0  # frames taken while not paused (callback thread)
        self._level = SILENT
        self._queue: queue.SimpleQueue[tuple[str, Any] | None] = queue.SimpleQueue()
        self._stream: Any = None
        self._writer: threading.Thread | None = None
        self._wav: GrowingWav | None = None
        self._meta: dict[str, Any] = {}
        self._abort_exc: type[BaseException] = RuntimeError

    # -- read by the GUI (any thread) ------------------------------------------
    @property
    def elapsed(self) -> float:
        """Seconds of recorded audio (pauses excluded)."""
        if self.state == "stopped" and self._meta.get("duration") is not None:
            return float(self._meta["duration"])
        return self._accepted / (self.samplerate or PREFERRED_RATE)

    @property
    def level(self) -> Level:
        """Level of the latest block (also while paused, for the meter)."""
        return self._level if self.state in ("recording", "paused") else SILENT

    @property
    def active(self) -> bool:
        return self.state in ("recording", "paused")

    # -- control -----------------------------------------------------------------
    def _resolve(self, sd: Any) -> tuple[Any, str, int]:
        try:
            info = sd.query_devices(self.device, "input")
        except (ValueError, sd.PortAudioError) as exc:
            if self.device is None:
                raise RecordingError(_NO_DEVICE) from exc
            raise RecordingError(
                f"Das Aufnahmegerät „{self.device}“ ist nicht (mehr) verfügbar. Bitte ein anderes wählen."
            ) from exc
        if int(info["max_input_channels"]) < 1:
            raise RecordingError(f"„{info['name']}“ ist kein Aufnahmegerät.")
        if self.samplerate is not None:
            rates = [self.samplerate]
        else:
            rates = [PREFERRED_RATE, int(info["default_samplerate"])]
        for rate in rates:
            try:
                sd.check_input_settings(self.device, channels=self.channels, dtype="int16", samplerate=rate)
            except Exception:
                continue
            return self.device if self.device is not None else info["index"], str(info["name"]), rate
        raise RecordingError(
            f"Das Aufnahmegerät „{info['name']}“ unterstützt {self.channels} Kanal/Kanäle mit "
            f"{rates[0]} Hz nicht. Bitte ein anderes Gerät wählen."
        )

    def start(self) -> None:
        if self.state != "idle":
            raise RecordingError("Diese Aufnahme wurde bereits gestartet.")
        sd = _sd()
        self._abort_exc = sd.CallbackAbort
        device, name, rate = self._resolve(sd)
        self.samplerate = rate
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        try:
            private_dirs(self.folder)  # a new folder is owner-only (0700), like the files in it
            stem, n = f"aufnahme-{stamp}", 2
            while any((self.folder / f"{stem}{s}").exists() for s in (PART_SUFFIX, ".wav")):
                stem, n = f"aufnahme-{stamp}-{n}", n + 1
            self.part_path = self.folder / f"{stem}{PART_SUFFIX}"
            self._meta = new_sidecar(rate, self.channels, name)
            write_sidecar(self.part_path, self._meta)
            self._wav = GrowingWav(self.part_path, rate, self.channels)
            make_private(self.part_path)  # 0600 whatever the umask; the rename to .wav keeps it
        except (OSError, UserError) as exc:
            raise RecordingError(
                f"Im Ordner „{self.folder}“ kann keine Aufnahme angelegt werden ({exc}). "
                "Bitte Schreibrechte und freien Speicherplatz prüfen."
            ) from exc
        self._writer = threading.Thread(target=self._write_loop, name="recorder-writer", daemon=True)
        self._writer.start()
        try:
            self._stream = sd.InputStream(
                samplerate=rate,
                device=device,
                channels=self.channels,
                dtype="int16",
                blocksize=int(rate * BLOCK_SECONDS),
                callback=self._callback,
            )
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            self._discard()
            raise RecordingError(
                f"Das Aufnahmegerät „{name}“ kann nicht geöffnet werden ({exc}). "
                "Ist es von einem anderen Programm belegt?"
            ) from exc
        self.state = "recording"

    def _callback(self, indata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        if self.error is not None:
            raise self._abort_exc
        if status.input_overflow:
            self.overflows += 1
        paused = self._paused
        self._queue.put(("audio", (paused, indata.copy())))
        if not paused:
            self._accepted += frames

    def pause(self) -> None:
        if self.state == "recording":
            self._paused = True
            self.state = "paused"
            self._queue.put(("sync", None))

    def resume(self) -> None:
        if self.state == "paused":
            self._paused = False
            self.state = "recording"

    def add_marker(self, label: str = DEFAULT_MARKER_LABEL) -> Marker:
        """Mark the current recording time (saved to the sidecar by the writer)."""
        if not self.active:
            raise RecordingError("Eine Marke kann nur während einer Aufnahme gesetzt werden.")
        marker = Marker(round(self.elapsed, 3), label)
        self.markers.append(marker)
        self._queue.put(("marker", marker))
        return marker

    def stop(self) -> Path:
        """Stop and return the finished WAV (also after a write error)."""
        if self.state in ("idle", "stopped"):
            if self.path is not None:
                return self.path
            raise RecordingError("Es läuft keine Aufnahme.")
        self._close_stream()
        self._queue.put(None)
        if self._writer is not None:
            self._writer.join()
        wav, part = self._wav, self.part_path
        assert wav is not None and part is not None
        with contextlib.suppress(OSError):  # the data is in the file; finish_part fits the header
            wav.sync()
        wav.close()
        seconds = wav.data_bytes // wav.frame_bytes / wav.samplerate
        self._meta.update(finished=now_iso(), duration=round(seconds, 3))
        self._save_meta()
        try:
            self.path, _ = finish_part(part, wav.samplerate, wav.channels)
        except OSError as exc:
            self.state = "failed"
            raise RecordingError(
                f"Die Aufnahme konnte nicht abgeschlossen werden ({os_reason(exc)}). Sie liegt als "
                f"„{part.name}“ vor und wird beim nächsten Programmstart zur Wiederherstellung angeboten."
            ) from exc
        self.state = "stopped"
        return self.path

    # -- internals ------------------------------------------------------------------
    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        # A vanished device may fail here: the data already written counts.
        with contextlib.suppress(Exception):
            if self.error is None:
                stream.stop()
            else:
                stream.abort()
        with contextlib.suppress(Exception):
            stream.close()

    def _discard(self) -> None:
        self._close_stream()
        self._queue.put(None)
        if self._writer is not None:
            self._writer.join()
        if self._wav is not None:
            self._wav.close()
        if self.part_path is not None:
            self.part_path.unlink(missing_ok=True)
            sidecar_path(self.part_path).unlink(missing_ok=True)
        self.state = "idle"

    def _save_meta(self) -> None:
        if self.part_path is None:
            return
        self._meta["markers"] = [{"time": m.time, "label": m.label} for m in self.markers]
        # Disk full: the last saved sidecar stays; the markers are also in self.markers.
        with contextlib.suppress(UserError):
            write_sidecar(self.part_path, self._meta)

    def _fail(self, exc: OSError) -> None:
        if self.error is None:
            assert self._wav is not None
            seconds = self._wav.data_bytes / self._wav.frame_bytes / self._wav.samplerate
            self.error = RecordingError(_write_error_message(exc, seconds))
            self.state = "failed"

    def _write_loop(self) -> None:
        wav = self._wav
        assert wav is not None
        chunk = max(1, int(self.chunk_seconds * wav.samplerate)) * wav.frame_bytes
        while True:
            item = self._queue.get()
            if item is None:
                return
            kind, payload = item
            if kind == "marker":
                self._save_meta()
                continue
            try:
                if kind == "audio":
                    paused, block = payload
                    self._level = block_level(block)
                    if paused or self.error is not None:
                        continue
                    wav.append(block.tobytes())
                    if wav.data_bytes - wav.synced_bytes < chunk:
                        continue
                if self.error is None:
                    wav.sync()
            except OSError as exc:
                self._fail(exc)
