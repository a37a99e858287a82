"""Transcription on a shared server with ``/v1/audio/transcriptions`` (docs/server.md).

``ServerASR`` has WhisperASR's ``transcribe`` (progress, cancel, resume, on_chunk), so
the pipeline treats both alike. The audio goes to the server window by window
(``window_seconds``, cut in a quiet stretch as WhisperASR does), each window as a
16 kHz mono 16-bit WAV built in memory, with one second of silence in front (Whisper
drops a first sentence that starts at 0.0 s). A resumed run starts at the last
finished window; a failed window is retried (``base.remote``), then the server counts
as down (``ServerUnavailable``).

Form fields: ``file``, ``model``, ``language``, ``prompt``, ``response_format=verbose_json``
and ``timestamp_granularities[]`` = ``word`` and ``segment``. A server that rejects the
request because of an unknown field (``transformers serve`` answers HTTP 422 to the
OpenAI spelling ``timestamp_granularities[]``) is asked again with ``file``, ``model``,
``language`` and ``response_format`` only.

Word times: used as the server sends them (inside the segments or as a list next to
them). Servers that send only segments (faster-whisper-server) or only text
(``transformers serve``) get word times spread over each segment (or the window) by
character length; such words carry ``probability == ESTIMATED_PROBABILITY`` (0.5: not
marked as uncertain in the editor, but distinguishable), and the transcript's model
name ends in ``ESTIMATED_SUFFIX``.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..base.errors import EngineError
from ..base.jobs import CancelToken, ProgressFn, no_progress
from ..base.remote import Server, ServerRejected, check_url
from ..base.types import Segment, Transcript, Word
from .whisper import SAMPLE_RATE, _cut_point

WHAT = "Transkriptionsserver"
ENDPOINT = "/audio/transcriptions"
DEFAULT_MODEL = "whisper-1"  # OpenAI's name; single-model servers accept any
ESTIMATED_PROBABILITY = 0.5
ESTIMATED_SUFFIX = " (Wortzeiten geschätzt)"


@dataclass
class ServerASROptions:
    base_url: str = ""
    model: str = ""  # the name the server expects ("" -> DEFAULT_MODEL)
    api_key: str = ""
    language: str | None = "de"  # None or "auto": the server detects it
    prompt: str | None = None
    timeout_s: float = 300.0
    retries: int = 2
    window_seconds: float = 120.0
    lead_in_seconds: float = 1.0


def wav_bytes(samples: np.ndarray) -> bytes:
    """16 kHz mono float32 -> a 16-bit PCM WAV file in memory."""
    pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767.0).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


class ServerASR:
    """Transcribes on the server named in ``options``; nothing is loaded on this PC."""

    def __init__(self, options: ServerASROptions, on_retry: Callable[[str], None] | None = None) -> None:
        self.options = options
        base = check_url(options.base_url, "asr_server_url", WHAT)
        self.server = Server(
            base, WHAT, options.api_key, options.timeout_s, options.retries, on_retry=on_retry
        )
        self.model_name = options.model.strip() or DEFAULT_MODEL
        self._minimal_fields = False
        self._estimated = False

    @property
    def url(self) -> str:
        return self.server.url(ENDPOINT)

    def transcribe(
        self,
        audio: np.ndarray,
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
        resume: Transcript | None = None,
        on_chunk: Callable[[Transcript, float], None] | None = None,
    ) -> Transcript:
        """Same contract as ``WhisperASR.transcribe``."""
        opts = self.options
        total = len(audio) / SAMPLE_RATE
        segments: list[Segment] = list(resume.segments) if resume else []
        language = resume.language if resume and resume.language else None
        pos = round(resume.duration * SAMPLE_RATE) if resume else 0
        window = int(opts.window_seconds * SAMPLE_RATE)
        lead = np.zeros(int(opts.lead_in_seconds * SAMPLE_RATE), np.float32)
        progress(pos / max(len(audio), 1), "Spracherkennung (Server)")
        while pos < len(audio):
            if cancel is not None:
                cancel.raise_if_cancelled()
            end = _cut_point(audio, pos, pos + window)
            samples = np.concatenate([lead, np.asarray(audio[pos:end], dtype=np.float32)])
            offset = pos / SAMPLE_RATE - opts.lead_in_seconds
            reply = self._send(wav_bytes(samples), language or self._language(), cancel)
            language = language or _language_code(_str(reply.get("language"))) or self._language()
            self._collect(reply, offset, len(samples) / SAMPLE_RATE, segments)
            pos = end
            if on_chunk is not None:
                on_chunk(self._result(language, pos / SAMPLE_RATE, segments), pos / SAMPLE_RATE)
            progress(pos / max(len(audio), 1), "Spracherkennung (Server)")
        progress(1.0, "Spracherkennung (Server)")
        return self._result(language, total, segments)

    def close(self) -> None:
        """Nothing to free (same interface as WhisperASR)."""

    # -- one window -------------------------------------------------------------------
    def _language(self) -> str | None:
        lang = self.options.language
        return None if not lang or lang == "auto" else lang

    def _send(self, wav: bytes, language: str | None, cancel: CancelToken | None) -> dict[str, Any]:
        files = [("file", "window.wav", "audio/wav", wav)]
        while True:
            fields = [("model", self.model_name)]
            if language:
                fields.append(("language", language))
            fields.append(("response_format", "verbose_json"))
            if not self._minimal_fields:
                if self.options.prompt:
                    fields.append(("prompt", self.options.prompt))
                fields += [("timestamp_granularities[]", "word"), ("timestamp_granularities[]", "segment")]
            try:
                reply = self.server.post_multipart(ENDPOINT, fields, files, cancel)
            except ServerRejected as exc:
                if self._minimal_fields or exc.status not in (400, 422):
                    raise
                self._minimal_fields = True  # ask again without the optional fields
                continue
            if not isinstance(reply, dict):
                raise self.server.bad_answer("kein JSON-Objekt")
            return reply

    def _collect(self, reply: dict[str, Any], offset: float, length: float, segments: list[Segment]) -> None:
        raw_segments = reply.get("segments")
        loose_words = _words(reply.get("words"))
        if not isinstance(raw_segments, list) or not raw_segments:
            text = _str(reply.get("text")).strip()
            if not text:
                return
            if "text" not in reply:
                raise self.server.bad_answer("ohne „text“ und „segments“")
            first = loose_words[0][0] if loose_words else self.options.lead_in_seconds
            raw_segments = [{"start": first, "end": length, "text": text}]
        for raw in raw_segments:
            if not isinstance(raw, dict):
                raise self.server.bad_answer("Segment ist kein Objekt")
            text = _str(raw.get("text")).strip()
            if not text:
                continue
            try:
                start, end = float(raw.get("start", 0.0)), float(raw.get("end", length))
            except (TypeError, ValueError) as exc:
                raise self.server.bad_answer("Segmentzeiten") from exc
            # Inside the window's audio: not in the silence put in front, not past its end.
            start = min(max(start, self.options.lead_in_seconds), length)
            end = min(max(end, start), length)
            own = _words(raw.get("words")) or [w for w in loose_words if start <= (w[0] + w[1]) / 2 <= end]
            if own:
                words = [Word(_t(a + offset), _t(b + offset), w, round(p, 4)) for a, b, w, p in own]
            else:
                self._estimated = True
                words = spread_words(text, start + offset, end + offset)
            segments.append(Segment(len(segments), _t(start + offset), _t(end + offset), text, words))

    def _result(self, language: str | None, duration: float, segments: list[Segment]) -> Transcript:
        model = f"server:{self.model_name}" + (ESTIMATED_SUFFIX if self._estimated else "")
        return Transcript(language=language or "", duration=duration, segments=list(segments), model=model)


def spread_words(text: str, start: float, end: float) -> list[Word]:
    """Words of ``text`` over ``start..end`` by character length (estimated times)."""
    tokens = text.split()
    if not tokens:
        return []
    weights = [len(t) + 1 for t in tokens]
    scale = max(end - start, 0.0) / sum(weights)
    words, t = [], start
    for token, weight in zip(tokens, weights, strict=True):
        nxt = t + weight * scale
        words.append(Word(_t(t), _t(nxt), " " + token, ESTIMATED_PROBABILITY))
        t = nxt
    return words


def _words(raw: Any) -> list[tuple[float, float, str, float]]:
    if not isinstance(raw, list):
        return []
    out = []
    for w in raw:
        if not isinstance(w, dict) or not _str(w.get("word")).strip():
            continue
        try:
            start, end = float(w["start"]), float(w["end"])
            prob = float(w.get("probability", 1.0))
        except (KeyError, TypeError, ValueError) as exc:
            raise EngineError(f"Der {WHAT} hat ungültige Wortzeiten geschickt.") from exc
        word = _str(w["word"])
        out.append(
            (start, max(end, start), word if word.startswith(" ") else " " + word, min(max(prob, 0.0), 1.0))
        )
    return out


# verbose_json of OpenAI names the language ("german"); others send the code ("de").
_LANGUAGE_NAMES = {
    "german": "de",
    "english": "en",
    "french": "fr",
    "italian": "it",
    "dutch": "nl",
    "polish": "pl",
    "turkish": "tr",
    "spanish": "es",
    "russian": "ru",
    "arabic": "ar",
}


def _language_code(name: str) -> str:
    return _LANGUAGE_NAMES.get(name.strip().lower(), name.strip().lower())


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _t(seconds: float) -> float:
    return round(max(seconds, 0.0), 3)
