"""faster-whisper wrapper: 16 kHz float32 audio -> core ``Transcript``.

Long recordings are transcribed window by window (``ASROptions.chunk_seconds``)
with cuts placed in the quietest stretch near each window's end, so memory
stays flat and a resumed run can start at the last finished window
(``transcribe(..., resume=...)``).

Every window is padded with ``lead_in_seconds`` of silence: Whisper base was
seen to drop the first sentence when speech starts at 0.0 s.

``ASROptions.batch_size`` > 1 decodes each window with faster-whisper's
``BatchedInferencePipeline`` (speech stretches found by VAD, decoded side by side);
0 lets ``base.hardware.resolve_asr_batch`` choose per device (measured in
``bench/batched_asr.py``). Loaded models are shared through ``MODELS`` while a queue
of jobs keeps them (``base.model_cache``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..base import hardware
from ..base.errors import Cancelled, ModelMissingError
from ..base.jobs import CancelToken, ProgressFn, no_progress
from ..base.model_cache import ModelCache
from ..base.types import Segment, Transcript, Word

SAMPLE_RATE = 16000
BATCH_CLIP_SECONDS = 30  # without VAD, batched decoding gets fixed clips of this length
MODELS = ModelCache("asr")  # WhisperModel by (folder, device, compute type, threads)


@dataclass
class ASROptions:
    language: str | None = "de"  # None or "auto": detect
    beam_size: int = 5
    vad_filter: bool = True
    word_timestamps: bool = True
    initial_prompt: str | None = None
    hotwords: Sequence[str] = field(default_factory=list)
    threads: int = 0  # 0: all cores
    device: str = "auto"  # "cpu", "cuda" or "auto" (CUDA when available)
    compute_type: str = "default"  # int8 on CPU, float16 on CUDA
    batch_size: int = 0  # 0: chosen per device (base.hardware); 1: sequential; >1: batched
    chunk_seconds: float = 600.0
    lead_in_seconds: float = 1.0
    condition_on_previous_text: bool = False  # off: fewer repetition loops on long audio


def build_prompt(names: Sequence[str] = (), terms: Sequence[str] = ()) -> str | None:
    """Initial prompt from attendee names and agenda terms (helps spelling)."""
    parts = []
    if terms:
        parts.append("Tagesordnung: " + "; ".join(t.strip() for t in terms if t.strip()) + ".")
    if names:
        parts.append("Anwesend: " + ", ".join(n.strip() for n in names if n.strip()) + ".")
    text = " ".join(parts)
    # Whisper's prompt holds ~224 tokens; keep well inside it.
    return text[:600] or None


class WhisperASR:
    """Holds a loaded model; reuse one instance for several files."""

    def __init__(self, model_dir: str | os.PathLike[str], options: ASROptions | None = None) -> None:
        self.model_dir = Path(model_dir)
        self.options = options or ASROptions()
        if not (self.model_dir / "model.bin").is_file():
            raise ModelMissingError(
                f"Das Spracherkennungsmodell in „{self.model_dir}“ fehlt oder ist unvollständig. "
                "Installieren mit: minutes-app models install"
            )
        opts = self.options
        self.device = hardware.resolve_device(opts.device, "ct2")
        self.compute_type = hardware.resolve_compute_type(opts.compute_type, self.device)
        self.threads = hardware.resolve_threads(opts.threads)
        self.batch_size = hardware.resolve_asr_batch(opts.batch_size, self.device)
        key = (str(self.model_dir.resolve()), self.device, self.compute_type, self.threads)
        self.model = MODELS.get(key, self._load)
        self._batched: Any = None
        if self.batch_size > 1:
            from faster_whisper import BatchedInferencePipeline

            self._batched = BatchedInferencePipeline(self.model)

    def _load(self) -> Any:
        from faster_whisper import WhisperModel

        try:
            return WhisperModel(
                str(self.model_dir),
                device=self.device,
                compute_type=self.compute_type,
                cpu_threads=self.threads,
            )
        except (RuntimeError, ValueError, OSError) as exc:  # CTranslate2 cannot read the files
            from ..base.errors import ModelCorruptError

            raise ModelCorruptError(
                f"Das Spracherkennungsmodell in „{self.model_dir}“ ist beschädigt und kann nicht geladen "
                f"werden ({exc}). Prüfen mit: minutes-app models verify; neu installieren mit: "
                f"minutes-app models install {self.model_dir.name}"
            ) from exc

    def transcribe(
        self,
        audio: np.ndarray,
        progress: ProgressFn = no_progress,
        cancel: CancelToken | None = None,
        resume: Transcript | None = None,
        on_chunk: Callable[[Transcript, float], None] | None = None,
    ) -> Transcript:
        """Transcribe ``audio`` (16 kHz mono float32, may be a memmap).

        ``resume``: a partial transcript from an interrupted run; windows it
        covers (up to its ``duration``) are not transcribed again.
        ``on_chunk(partial, done_seconds)`` is called after every window so
        the caller can save it.
        """
        opts = self.options
        total = len(audio) / SAMPLE_RATE
        segments: list[Segment] = list(resume.segments) if resume else []
        language = resume.language if resume else (opts.language if opts.language != "auto" else None)
        pos = round(resume.duration * SAMPLE_RATE) if resume else 0
        chunk = int(opts.chunk_seconds * SAMPLE_RATE)
        lead = np.zeros(int(opts.lead_in_seconds * SAMPLE_RATE), np.float32)
        progress(pos / max(len(audio), 1), "Spracherkennung")
        while pos < len(audio):
            end = _cut_point(audio, pos, pos + chunk)
            window = np.concatenate([lead, np.asarray(audio[pos:end], dtype=np.float32)])
            offset = pos / SAMPLE_RATE - opts.lead_in_seconds
            language = self._transcribe_window(window, offset, language, segments, total, progress, cancel)
            pos = end
            if on_chunk is not None:
                on_chunk(self._result(language, pos / SAMPLE_RATE, segments), pos / SAMPLE_RATE)
        progress(1.0, "Spracherkennung")
        return self._result(language, total, segments)

    def close(self) -> None:
        """Free the model now: left to interpreter exit (e.g. held by a ``Cancelled``
        traceback), its native teardown was seen to crash the process (SIGSEGV/abort)."""
        self.__dict__.pop("_batched", None)
        self.__dict__.pop("model", None)  # a model kept for a queue stays in MODELS

    def _result(self, language: str | None, duration: float, segments: list[Segment]) -> Transcript:
        return Transcript(
            language=language or "",
            duration=duration,
            segments=list(segments),
            model=self.model_dir.name,
        )

    def _transcribe_window(
        self,
        window: np.ndarray,
        offset: float,
        language: str | None,
        segments: list[Segment],
        total: float,
        progress: ProgressFn,
        cancel: CancelToken | None,
    ) -> str | None:
        opts = self.options
        hotwords = ", ".join(opts.hotwords) if opts.hotwords else None
        kwargs: dict[str, Any] = dict(
            language=language,
            beam_size=opts.beam_size,
            vad_filter=opts.vad_filter,
            word_timestamps=opts.word_timestamps,
            initial_prompt=opts.initial_prompt,
            hotwords=hotwords,
            condition_on_previous_text=opts.condition_on_previous_text,
        )
        if self._batched is not None:
            if not opts.vad_filter:  # batched decoding needs clips: fixed 30 s pieces
                seconds = len(window) / SAMPLE_RATE
                kwargs["clip_timestamps"] = [
                    {"start": float(t), "end": float(min(t + BATCH_CLIP_SECONDS, seconds))}
                    for t in range(0, int(np.ceil(seconds)), BATCH_CLIP_SECONDS)
                ]
            raw, info = self._batched.transcribe(window, batch_size=self.batch_size, **kwargs)
        else:
            raw, info = self.model.transcribe(window, **kwargs)
        try:
            self._collect(raw, offset, segments, total, progress, cancel)
        finally:
            close = getattr(raw, "close", None)
            if close is not None:
                close()  # a generator left half-read holds native decoder state
        return language or info.language

    def _collect(
        self,
        raw: Any,
        offset: float,
        segments: list[Segment],
        total: float,
        progress: ProgressFn,
        cancel: CancelToken | None,
    ) -> None:
        for seg in raw:
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            text = seg.text.strip()
            if not text:
                continue
            words = [
                Word(
                    start=round(max(float(w.start) + offset, 0.0), 3),
                    end=round(max(float(w.end) + offset, 0.0), 3),
                    word=w.word,
                    probability=round(float(w.probability), 4),
                )
                for w in (seg.words or [])
            ]
            start = round(max(float(seg.start) + offset, 0.0), 3)
            end = round(max(float(seg.end) + offset, 0.0), 3)
            # Batched decoding gives one segment per speech stretch (up to 30 s): split it
            # into sentences, as sequential decoding does, for the editor and subtitles.
            pieces = _sentences(words) if self._batched is not None and words else [words]
            for piece in pieces:
                if len(pieces) > 1:
                    start, end = piece[0].start, piece[-1].end
                    text = "".join(w.word for w in piece).strip()
                segments.append(Segment(id=len(segments), start=start, end=end, text=text, words=piece))
            if total > 0:
                progress(min((seg.end + offset) / total, 1.0), "Spracherkennung")


_NO_SENTENCE_END = {"nr", "dr", "z.b", "bzw", "ggf", "vgl", "abs", "ca", "usw", "evtl", "inkl", "str", "tel"}


def _ends_sentence(word: str) -> bool:
    token = word.strip().rstrip("\"'“”»«)")
    if token.endswith(("?", "!", "…")):
        return True
    stem = token[:-1].lower()
    # "am 3. März", "Nr. 5", "z.B." are no sentence ends
    return token.endswith(".") and not (stem.isdigit() or stem in _NO_SENTENCE_END or len(stem) <= 1)


def _sentences(words: list[Word]) -> list[list[Word]]:
    """Words split after each sentence end (. ? ! …, also before a closing quote)."""
    pieces: list[list[Word]] = [[]]
    for i, word in enumerate(words):
        pieces[-1].append(word)
        if _ends_sentence(word.word) and i + 1 < len(words):
            pieces.append([])
    return pieces


def _cut_point(audio: np.ndarray, start: int, end: int) -> int:
    """End of a window: ``end``, moved back to the quietest 0.5 s of its last 30 s."""
    if end >= len(audio):
        return len(audio)
    search = min(30 * SAMPLE_RATE, (end - start) // 2)
    region = np.asarray(audio[end - search : end], dtype=np.float32)
    hop = SAMPLE_RATE // 2
    n = len(region) // hop
    if n < 2:
        return end
    energy = (region[: n * hop].reshape(n, hop) ** 2).mean(axis=1)
    quietest = int(np.argmin(energy[::-1]))  # latest among equals
    return end - search + (n - 1 - quietest) * hop + hop // 2
