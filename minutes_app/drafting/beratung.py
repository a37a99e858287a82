"""Verlaufsprotokoll: the Beratung as reported speech, one or two sentences per contribution.

An item's transcript is split into contributions (consecutive speech of one speaker); each
substantive one (about 15 s or more) goes to the model alone, with German examples in the
prompt's shared prefix and a small token budget, and comes back as "NN erklärt, …". Rules
do what the model is weak at (the speaker's label for NN, "ich"/"wir", Konjunktiv I), and
checks follow: a sentence copied from the transcript, a name or number that is not in the
contribution, the roster or the agenda, or no speaker at all make the summary fall back to
a short rule-based extract, and the item gets a flag.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from ..base.jobs import CancelToken
from ..base.types import Segment
from .condense import extract
from .engines.base import LLMEngine
from .itemjson import ItemDraft
from .prompts import PromptTemplate
from .quality import invented, sentences, verbatim_share
from .reported import finish_summary, shift_unreported, upper_first
from .rules import speakers_list
from .speakers import CHAIR_LABEL, Contribution, content_text, contributions, dative, is_substantive
from .transcript import sanitize

log = logging.getLogger(__name__)

MAX_INPUT_WORDS = 260  # a longer contribution is summarised in pieces of about this size
SUMMARY_TOKENS = 72  # decode budget per piece (a 30-word German summary is ~55 tokens)
MAX_SUMMARY_WORDS = 45  # speaker label included
MAX_SENTENCE_VERBATIM = 0.5  # share of a summary sentence's 6-grams copied from the transcript
# Words of the prompt's own vocabulary that are no invention when the model uses them.
COMMON = (
    "Fraktion Verwaltung Vorlage Antrag Anträge Ausschuss Rat Gremium Sitzung Sitzungsleitung Mitglied "
    "Stadt Gemeinderat Stadtrat Stadträtin Herr Frau Beschlussvorschlag Tagesordnungspunkt Beratung "
    "Vorsitzende Vorsitzender Redner Rednerin Frage Fragen Kosten Zustimmung Ablehnung Abstimmung "
    "Euro Prozent Jahr Jahre Jahren Haushalt Punkt Tagesordnung Stellungnahme Bürger Bürgerinnen"
)


@dataclass
class BeratungResult:
    paragraphs: list[str] = field(default_factory=list)  # one per contribution, in the order spoken
    fallbacks: list[str] = field(default_factory=list)  # labels whose summary came from the rules
    model_calls: int = 0
    decisions: list[Decision] = field(default_factory=list)  # one per model summary, in order


@dataclass
class Decision:
    """Whether one model summary was used, and if not why (the benchmark prints these)."""

    label: str
    words: int  # of the piece summarised
    reason: str  # "" when accepted
    reply: str


def pieces(c: Contribution, max_words: int = MAX_INPUT_WORDS) -> list[str]:
    """The contribution's text in pieces of at most ~``max_words`` words, at sentence ends."""
    out: list[str] = []
    current: list[str] = []
    for sent in sentences(content_text(c)) or [content_text(c)]:
        n = len(sent.split())
        if current and sum(len(s.split()) for s in current) + n > max_words:
            out.append(" ".join(current))
            current = []
        current.append(sent)
    if current:
        out.append(" ".join(current))
    return out


def max_summary_words(piece_words: int) -> int:
    """Words a summary of a piece may have: half the piece, at least 20 (name and verb), at most 45."""
    return min(MAX_SUMMARY_WORDS, max(20, piece_words // 2))


def fit_length(summary: str, piece_words: int) -> str:
    """A summary over the limit keeps its first sentence when that one fits."""
    limit = max_summary_words(piece_words)
    if len(summary.split()) <= limit:
        return summary
    first = (sentences(summary) or [""])[0]
    return first if len(first.split()) <= limit else summary


def check(summary: str, source: str, known: list[str]) -> str:
    """Why ``summary`` cannot be used ("" when it can): no answer, too long, copied, or a
    name or number found neither in the contribution nor in roster/agenda."""
    if not summary:
        return "keine brauchbare Antwort"
    if len(summary.split()) > max_summary_words(len(source.split())):
        return "zu lang"
    for sent in sentences(summary):
        if verbatim_share(sent, source) > MAX_SENTENCE_VERBATIM:
            return "wörtlich übernommen"
    bad = invented(summary, [source, *known], COMMON.split())
    numbers = [b for b in bad if b.isdigit()]
    if len(numbers) < len(bad):
        return "Name nicht belegt: " + ", ".join([b for b in bad if not b.isdigit()][:3])
    if numbers:
        return "Zahl nicht belegt: " + ", ".join(numbers[:3])
    return ""


def _messages(template: PromptTemplate, text: str) -> list[dict[str, str]]:
    return template.render(contribution=sanitize(text))


def summarise_item(
    segments_contribs: list[Contribution],
    engine: LLMEngine,
    template: PromptTemplate,
    known: list[str],
    max_new_tokens: int = SUMMARY_TOKENS,
    cancel: CancelToken | None = None,
    generate_many: Callable[..., list[str]] | None = None,
) -> BeratungResult:
    """Summaries of the substantive contributions of one item (all pieces in one batch)."""
    result = BeratungResult()
    jobs: list[tuple[int, str]] = []  # (contribution index, piece text)
    chosen = [c for c in segments_contribs if is_substantive(c)]
    for i, c in enumerate(chosen):
        for piece in pieces(c):
            jobs.append((i, piece))
    if not jobs:
        return result
    run = generate_many or engine.generate_many
    replies = run([_messages(template, p) for _, p in jobs], max_new_tokens, 0.0, cancel=cancel)
    result.model_calls = len(jobs)
    per: dict[int, list[str]] = {}
    for (i, piece), reply in zip(jobs, replies, strict=True):
        c = chosen[i]
        label = c.label
        summary = finish_summary(reply, label)
        if per.get(i):  # a later piece of the same contribution: no second introduction
            summary = summary.replace(
                upper_first(label) + " erklärt", upper_first(label) + " führt weiter aus"
            )
        # judged as the model wrote it (a copied sentence stays a copy when its verb is shifted),
        # printed in Konjunktiv I and at most the length allowed
        summary = fit_length(summary, len(piece.split()))
        why = check(summary, piece, [label, *known])
        summary = shift_unreported(summary, label)
        result.decisions.append(Decision(label, len(piece.split()), why, reply.strip()))
        log.info(
            "summary %s: %s",
            "rejected" if why else "accepted",
            why or label,
            extra={"decision": result.decisions[-1]},
        )
        if why:
            summary = extract(piece, label)
            if label not in result.fallbacks:
                result.fallbacks.append(label)
        if summary:
            per.setdefault(i, []).append(summary)
    result.paragraphs = [" ".join(per[i]) for i in sorted(per)]
    return result


NO_DEBATE = "Eine Aussprache findet nicht statt."


def add_beratung(
    draft: ItemDraft,
    segments: list[Segment],
    labels: dict[str, str],
    engine: LLMEngine,
    template: PromptTemplate,
    known: list[str],
    cancel: CancelToken | None = None,
) -> None:
    """Set ``draft.discussion`` (one paragraph per contribution) and its hints."""
    contribs = contributions(segments, labels)
    result = summarise_item(contribs, engine, template, known, cancel=cancel)
    if result.paragraphs:
        draft.discussion = "\n".join(result.paragraphs)
    elif any(c.label != CHAIR_LABEL and is_substantive(c, 3) for c in contribs[1:]):
        draft.discussion = speakers_list(segments, labels)  # only short remarks: who spoke
    else:
        draft.discussion = NO_DEBATE
    for label in result.fallbacks:
        draft.discussion_flags.append(
            f"Beratung: Beitrag von {dative(label)} nicht vom Sprachmodell zusammengefasst, "
            "sondern nach Regeln gekürzt – bitte prüfen"
        )
