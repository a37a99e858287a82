"""Draft the minutes (Niederschrift) per agenda item with an LLM plus rule-based checks.

For each item the model gets the item's transcript (speaker names, segment ids,
fenced as data) and answers with JSON. The structure is guaranteed: the reply is
parsed and repaired, validated field by field, and every field falls back to the
rule-based result (vote recogniser, resolution sentences) when the model fails.
Vote counts survive only if the transcript states them at their evidence. Long
items are drafted in parts (map) whose discussions are then merged (reduce), so
the context window is never overflowed silently.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..base import jsonio
from ..base.errors import EngineError
from ..base.hardware import release_memory
from ..base.jobs import CancelToken, ProgressFn, no_progress
from ..base.types import AgendaItem, Attendee, Minutes, MinutesItem, Segment
from .beratung import add_beratung
from .cues import ItemSpan, segment_items
from .engines.base import LLMEngine
from .ergebnis import context
from .itemjson import ItemDraft, parse_item_draft
from .merge import combine_parts, merge_resolution, merge_vote
from .motions import check_motions, needs_model
from .procedure import find_procedure
from .prompts import PromptTemplate, load_prompt, prompt_version
from .rules import find_resolution, speakers_list
from .speakers import draft_labels, known_names
from .transcript import chunk_lines, format_lines, sanitize, speaker_label
from .votes import item_vote
from .wortprotokoll import build as wortprotokoll

# Protocol type -> (German name, prompt set folder under prompts/<set>/).
PROTOCOL_TYPES = {
    "verlauf": "Verlaufsprotokoll",  # course of the debate in indirect speech, per speaker
    "ergebnis": "Ergebnisprotokoll",  # decisions only, resolutions word for word
    "wort": "Wortprotokoll",  # cleaned verbatim (by rules), results by the model
}
MIN_TRANSCRIPT_BUDGET = 200


@dataclass
class DraftOptions:
    max_new_tokens: int = 768  # per model call
    temperature: float = 0.0
    protocol_type: str = "verlauf"  # "verlauf" | "ergebnis" | "wort"
    # Prompt + answer per call (<= the model's window). Bounds memory: CTranslate2 on CPU keeps
    # the logits of every prompt position during the prefill, ~1 MB per token on top of the
    # 1.5B model's 2.2 GB (bench/llm_prefill_memory.py: 2308 tokens 3.4 GB, 3308 tokens 4.3 GB,
    # 4011 tokens 5.1 GB), so 3072 (prompts up to ~2270 tokens) keeps a drafting process under 4 GB.
    context_tokens: int = 3072
    prompts_dir: Path | None = None  # None: prompts/v1 (or $MINUTES_APP_PROMPTS)
    # Skip the item JSON call where the rules already have all it could add (motions.needs_model).
    skip_needless_calls: bool = True


class _Drafter:
    def __init__(
        self, engine: LLMEngine, options: DraftOptions, speakers: dict[str, str], cancel: CancelToken | None
    ) -> None:
        self.engine, self.options, self.speakers, self.cancel = engine, options, speakers, cancel
        self.item_prompt, self.locate_prompt, *rest = draft_templates(options)
        self.merge_prompt = next((t for t in rest if t.name == "merge_discussion"), None)
        self.contribution_prompt = next((t for t in rest if t.name == "contribution"), None)
        self.context_prompt = next((t for t in rest if t.name == "context"), None)  # Ergebnisprotokoll
        self.known: list[str] = []  # roster and agenda: names a draft may use
        self.names: dict[str, str] = {}  # speaker id -> name given (Wortprotokoll: title from the roster)
        self.roster: list[Attendee] = []
        self.window = min(options.context_tokens, engine.context_length)

    @property
    def templates(self) -> list[PromptTemplate]:
        """The whole prompt set of the protocol type (its version goes into the minutes)."""
        extra = [t for t in (self.merge_prompt, self.contribution_prompt, self.context_prompt) if t]
        return [self.item_prompt, *extra, self.locate_prompt]

    def locate(self, previous: ItemSpan, missing: ItemSpan) -> int | None:
        """Ask the model where ``missing`` begins inside ``previous`` (index into its segments)."""
        values = {
            "number": missing.number,
            "title": sanitize(missing.title),
            "previous_number": previous.number or "–",
            "previous_title": sanitize(previous.title),
        }
        budget = self._budget(self.locate_prompt, **values, lines="")
        lines = [
            f"[{i}] {sanitize(speaker_label(s, self.speakers))}: {sanitize(s.text.strip())}"
            for i, s in enumerate(previous.segments)
        ]
        kept: list[str] = []
        for line in lines:
            if self.engine.count_tokens("\n".join([*kept, line])) > budget:
                break
            kept.append(line)
        messages = self.locate_prompt.render(**values, lines="\n".join(kept))
        reply = self.engine.generate(messages, 8, 0.0, cancel=self.cancel)
        m = re.search(r"\d+", reply)
        return int(m.group()) if m and int(m.group()) < len(kept) else None

    def _budget(self, template: PromptTemplate, **values: str) -> int:
        empty = template.render(**values)
        overhead = sum(self.engine.count_tokens(m["content"]) + 8 for m in empty)
        budget = self.window - overhead - self.options.max_new_tokens - 32
        if budget < MIN_TRANSCRIPT_BUDGET:
            raise EngineError(
                f"Das Kontextfenster ({self.window} Token) reicht für die Anfrage nicht aus; bitte "
                "„context_tokens“ erhöhen oder „max_new_tokens“ verringern."
            )
        return budget

    def _ask(self, messages: list[dict[str, str]]) -> str:
        return self.engine.generate(
            messages, self.options.max_new_tokens, self.options.temperature, cancel=self.cancel
        )

    def draft_span(self, span: ItemSpan) -> ItemDraft:
        needed = not self.options.skip_needless_calls or needs_model(span.segments)
        draft = self._draft_json(span) if needed else ItemDraft()
        if self.contribution_prompt is not None:  # Verlaufsprotokoll: reported speech per contribution
            add_beratung(
                draft,
                span.segments,
                self.speakers,
                self.engine,
                self.contribution_prompt,
                self.known,
                self.cancel,
            )
        elif self.options.protocol_type == "wort":  # spoken text by rules (wortprotokoll.py)
            draft.discussion = wortprotokoll(span.segments, self.speakers, self.names, self.roster).text
        elif self.options.protocol_type == "ergebnis":  # 1-3 context sentences (ergebnis.py)
            segs, prompt, known = span.segments, self.context_prompt, self.known
            found = context(segs, self.speakers, span.title, known, self.engine, prompt, cancel=self.cancel)
            draft.discussion = found.text
        return draft

    def _draft_json(self, span: ItemSpan) -> ItemDraft:
        values = {"number": span.number or "–", "title": sanitize(span.title)}
        lines = format_lines(span.segments, self.speakers)
        budget = self._budget(self.item_prompt, **values, part_info="Dies ist Teil 99 von 99.", transcript="")
        chunks = chunk_lines(lines, budget, self.engine.count_tokens)
        parts: list[ItemDraft] = []
        for i, chunk in enumerate(chunks, 1):
            info = (
                ""
                if len(chunks) == 1
                else (
                    f"Dies ist Teil {i} von {len(chunks)} des Tagesordnungspunkts; "
                    "beschreibe nur diesen Teil."
                )
            )
            reply = self._ask(self.item_prompt.render(**values, part_info=info, transcript="\n".join(chunk)))
            parts.append(parse_item_draft(reply))
        if len(parts) == 1:
            return parts[0]
        combined = combine_parts(parts)
        texts = [p.discussion for p in parts if p.discussion]
        if self.merge_prompt is not None and len(texts) > 1:
            combined.discussion = self._reduce(span, texts)
        return combined

    def _reduce(self, span: ItemSpan, texts: list[str]) -> str:
        """Merge part discussions with the model, in groups that fit the window."""
        assert self.merge_prompt is not None
        values = {"number": span.number or "–", "title": sanitize(span.title)}
        budget = self._budget(self.merge_prompt, **values, parts="")
        while len(texts) > 1:
            groups = chunk_lines([sanitize(t) for t in texts], budget, self.engine.count_tokens)
            if len(groups) >= len(texts):  # each part alone fills the window: keep them as they are
                return "\n\n".join(texts)
            merged = []
            for group in groups:
                if len(group) == 1:
                    merged.append(group[0])
                    continue
                reply = self._ask(self.merge_prompt.render(**values, parts="\n\n".join(group))).strip()
                merged.append(reply if len(reply) >= 20 and "{" not in reply[:1] else "\n\n".join(group))
            texts = merged
        return texts[0]


def _item_from_span(
    span: ItemSpan,
    draft: ItemDraft | None,
    speakers: dict[str, str],
    protocol_type: str,
    known: list[str] | None = None,
) -> MinutesItem:
    item = MinutesItem(number=span.number, title=span.title, start=span.start, end=span.end)
    if not span.in_agenda and span.matched_by != "eröffnung" and span.matched_by != "" and span.number:
        item.flags.append(
            f"TOP {span.number} wurde aufgerufen, steht aber nicht in der Tagesordnung – bitte prüfen"
        )
    if span.matched_by == "eröffnung" and span.number:
        item.flags.append("Kein Aufruf gehört; der Text vor dem ersten Aufruf ist zugeordnet – bitte prüfen")
    if span.matched_by == "titel":
        item.flags.append("Zuordnung über den Titel erkannt (keine TOP-Nummer gesprochen) – bitte prüfen")
    elif span.matched_by == "folge":
        item.flags.append("Zuordnung über „nächster Tagesordnungspunkt“ erkannt – bitte prüfen")
    elif span.matched_by == "llm":
        item.flags.append("Beginn vom Sprachmodell geschätzt (kein Aufruf erkannt) – bitte prüfen")
    if not span.segments:
        item.flags.append("Im Transkript nicht aufgerufen – keine Zeit und kein Text zugeordnet")
        return item
    segs = span.segments
    draft = draft or ItemDraft()
    if draft.error:
        item.flags.append("Antwort des Sprachmodells unbrauchbar – regelbasierte Auswertung übernommen")

    rule_vote, rule_ev, events = item_vote(segs)
    item.vote, vote_ev, vote_flags = merge_vote(
        draft.vote, draft.vote_segments, rule_vote, rule_ev, events, segs
    )
    rule_res, res_ev = find_resolution(segs)
    item.resolution, res_used_ev, res_flags = merge_resolution(
        draft.resolution, rule_res, res_ev, segs, not item.vote.is_empty()
    )
    item.evidence = vote_ev + [e for e in res_used_ev if e not in vote_ev]
    item.procedure = find_procedure(segs, speakers)
    item.motions, motion_flags = check_motions(draft.motions, segs, item.procedure, speakers, known or [])
    item.flags += motion_flags

    if protocol_type in ("wort", "ergebnis"):
        item.discussion = draft.discussion or ""
    elif protocol_type == "verlauf":
        lines = (draft.discussion or "").strip().splitlines()  # one paragraph per contribution
        text = "\n".join(t for t in (drop_template_sentences(line) for line in lines) if t)
        if len(text) < 20:
            item.discussion = speakers_list(segs, speakers)
            item.flags.append("Beratung nicht automatisch zusammengefasst – bitte ergänzen")
        else:
            item.discussion = text
            item.flags += draft.discussion_flags
    item.flags += vote_flags + res_flags
    item.flags = list(dict.fromkeys(item.flags))  # each hint once
    return item


# Sentences a small model copied from the prompt's form description instead of
# writing its own ("<Name> erklärt, …").
_TEMPLATE_ECHO = re.compile(r"<\s*name\s*>|<\s*fraktion\s*>|beispiel\s*\(xy\)", re.IGNORECASE)


def drop_template_sentences(text: str) -> str:
    sentences = re.findall(r"(?:[^.!?]|\.(?=\d))+[.!?]*", text)  # "240.000 Euro" is one sentence
    return " ".join(s.strip() for s in sentences if not _TEMPLATE_ECHO.search(s)).strip()


def redraft_item(
    span: ItemSpan,
    speakers: dict[str, str],
    engine: LLMEngine,
    options: DraftOptions,
    cancel: CancelToken | None = None,
    roster: list[Attendee] | None = None,
) -> MinutesItem:
    """One item drafted again ("Neu erzeugen"): labels, Beratung, motions and flags all new."""
    labels = draft_labels(span.segments, speakers, roster)
    drafter = _Drafter(engine, options, labels, cancel)
    drafter.known, drafter.names, drafter.roster = known_names(None, roster), speakers, roster or []
    draft = drafter.draft_span(span) if span.segments else None
    return _item_from_span(span, draft, labels, options.protocol_type, drafter.known)


def draft_templates(options: DraftOptions) -> list[PromptTemplate]:
    """The prompt set of ``options.protocol_type``: item draft, locate, (merge for Verlaufsprotokoll)."""
    if options.protocol_type not in PROTOCOL_TYPES:
        raise EngineError(
            f"Unbekannte Protokollart „{options.protocol_type}“ (erlaubt: {', '.join(PROTOCOL_TYPES)})."
        )
    extra = {"verlauf": ["contribution"], "ergebnis": ["context"]}.get(options.protocol_type, [])
    names = ["item_draft", "locate_item", *extra]
    return [load_prompt(n, options.prompts_dir, options.protocol_type) for n in names]


def draft_minutes(
    segments: list[Segment],
    speakers: dict[str, str],
    agenda: list[AgendaItem] | None,
    engine: LLMEngine,
    options: DraftOptions | None = None,
    progress: ProgressFn = no_progress,
    cancel: CancelToken | None = None,
    markers: list[tuple[float, str]] | None = None,
    starts: dict[str, float] | None = None,
    done: dict[str, dict[str, Any]] | None = None,
    on_item: Callable[[str, MinutesItem], None] | None = None,
    roster: list[Attendee] | None = None,
    finished_only: bool = False,
) -> Minutes:
    """Draft ``Minutes`` for ``segments`` (one item per agenda item, plus "Eröffnung/Regularien").

    ``markers`` (recording markers) and ``starts`` (item starts set by hand) fix
    item boundaries before spoken cues are used; see ``boundaries.py``.
    Resume: ``done`` maps ``span_id`` -> finished item (``MinutesItem`` as dict) of an
    interrupted run; those items are taken as they are. ``on_item(span_id, item)`` is
    called after each item so the caller can save it. ``finished_only``: only the items
    finished while recording (with speech, and not the one holding the latest speech, which
    is still being discussed; ``predraft.py``).
    """
    options = options or DraftOptions()
    ordered = sorted(segments, key=lambda s: (s.start, s.id))
    labels = draft_labels(ordered, speakers, roster)  # never a raw speaker id in the draft
    drafter = _Drafter(engine, options, labels, cancel)
    drafter.known, drafter.names, drafter.roster = known_names(agenda, roster), speakers, roster or []
    spans = segment_items(ordered, agenda, markers, starts, locate=drafter.locate)
    if finished_only:  # while recording: the item holding the latest speech is still going on
        said = [s for s in spans if s.segments]
        last = max(said, key=lambda s: s.segments[-1].end, default=None)
        spans = [s for s in said if s is not last]
    by_number = {a.number: a for a in agenda or []}
    items: list[MinutesItem] = []
    total = max(1, sum(len(s.segments) for s in spans))
    done_segments = 0
    finished = done or {}
    for index, span in enumerate(spans):
        if cancel is not None:
            cancel.raise_if_cancelled()
        label = f"TOP {span.number}" if span.number else span.title
        progress(done_segments / total, f"Entwurf {label} …")
        span_key = span_id(index, span)
        if span_key in finished:
            item = MinutesItem.from_dict(finished[span_key])
        else:
            draft = drafter.draft_span(span) if span.segments else None
            item = _item_from_span(span, draft, labels, options.protocol_type, drafter.known)
            given = by_number.get(span.number) if span.in_agenda else None
            if given is not None:  # what the invitation says about the item
                item.public, item.paper, item.proposal = given.public, given.paper, given.proposal
            if on_item is not None:
                on_item(span_key, item)
            release_memory()  # a long session's drafts must not creep up (~100 MB per 10 min)
        items.append(item)
        done_segments += len(span.segments)
    progress(1.0, "Entwurf fertig")
    # Interruptions belong to the session (Kopf: "Unterbrechungen"), not to one item.
    events = [p for item in items for p in item.procedure if p.kind == "unterbrechung"]
    for item in items:
        item.procedure = [p for p in item.procedure if p.kind != "unterbrechung"]
    return Minutes(
        agenda_items=items,
        model=engine.model_id,
        prompt_version=prompt_version(drafter.templates),
        engine=engine.name,
        protocol_type=options.protocol_type,
        events=events,
    )


def draft_request(
    segments: list[Segment],
    names: dict[str, str],
    agenda: list[AgendaItem] | None,
    engine_kind: str,
    llm_dir: str | None,
    engine_args: dict[str, Any],
    draft_options: DraftOptions,
    progress: ProgressFn,
    cancel: CancelToken,
    markers: list[tuple[float, str]] | None = None,
    starts: dict[str, float] | None = None,
    partial_path: str | None = None,
    partial_key: dict[str, Any] | None = None,
    roster: list[Attendee] | None = None,
    replies_path: str | None = None,
) -> Minutes:
    """The draft stage's work (also the worker-process entry).

    With ``partial_path`` every finished item is saved there at once (atomically) and
    the items saved by an interrupted run with the same ``partial_key`` are reused.
    With ``replies_path`` a prompt answered before (drafted while recording, an
    interrupted run) takes the kept reply (``replies.py``).
    """
    from .engines import make_engine
    from .replies import CachedEngine, ReplyStore

    done = load_partial(partial_path, partial_key or {}) if partial_path else {}
    on_item = partial_saver(partial_path, partial_key or {}, done) if partial_path else None
    engine = make_engine(engine_kind, Path(llm_dir) if llm_dir else None, **engine_args)
    if replies_path:
        engine = CachedEngine(engine, ReplyStore(replies_path))
    try:
        return draft_minutes(
            segments,
            names,
            agenda,
            engine,
            draft_options,
            progress,
            cancel,
            markers=markers,
            starts=starts,
            done=done,
            on_item=on_item,
            roster=roster,
        )
    finally:
        engine.close()


def span_id(index: int, span: ItemSpan) -> str:
    """Identity of an item span: a resumed draft reuses an item only if its span is unchanged."""
    ids = [s.id for s in span.segments]
    return f"{index}|{span.number}|{span.title}|{span.start}|{span.end}|{ids[:1]}|{ids[-1:]}|{len(ids)}"


# -- resume: finished items of an interrupted draft (draft.partial.json) -------------


def input_digest(segments: list[Segment], speakers: dict[str, str]) -> str:
    """Fingerprint of the draft's input (an edited transcript makes a partial draft stale)."""
    data = json.dumps([[asdict(s) for s in segments], speakers], sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(data.encode("utf-8")).hexdigest()


def load_partial(path: str | os.PathLike[str], key: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The finished items saved in ``path`` when they were drafted with ``key``, else none."""
    try:
        data = jsonio.loads(jsonio.read_bytes(path))
    except (OSError, ValueError):
        return {}  # missing or unreadable: draft everything again
    key = json.loads(json.dumps(key, ensure_ascii=False))  # compare as saved (tuples become lists)
    if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("items"), dict):
        return {}
    return dict(data["items"])


def partial_saver(
    path: str | os.PathLike[str], key: dict[str, Any], done: dict[str, dict[str, Any]]
) -> Callable[[str, MinutesItem], None]:
    """An ``on_item`` callback that saves every finished item atomically in ``path``."""
    from ..base.fileio import write_json

    items = dict(done)

    def save(span_key: str, item: MinutesItem) -> None:
        items[span_key] = asdict(item)
        write_json(path, {"key": key, "items": items})

    return save
