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
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..base.jobs import CancelToken
from ..base.types import Segment
from .clauses import verb_final
from .condense import extract
from .engines.base import LLMEngine
from .itemjson import ItemDraft
from .prompts import PromptTemplate
from .quality import coverage, invented, keeps_position, key_terms, position_error, sentences, verbatim_share
from .reported import finish_summary, shift_unreported, upper_first
from .rules import speakers_list
from .speakers import CHAIR_LABEL, Contribution, content_text, contributions, dative, is_substantive
from .transcript import sanitize

log = logging.getLogger(__name__)

MAX_INPUT_WORDS = 260  # a longer contribution is summarised in pieces of about this size
SUMMARY_TOKENS = 56  # decode budget per piece (one sentence of ~30 German words)
MAX_SUMMARY_WORDS = 45  # the speaker's label counts as one word
MAX_SENTENCE_VERBATIM = 0.5  # share of a summary sentence's n-grams copied from the transcript
MIN_COVERED_WORDS = 40  # a summary of a piece this long keeps at least one of its key terms
# The Beratung's words per word of the item's transcript above which its longest texts
# become short rule extracts (#16: at most half; a short item of remarks and answers reaches it)
LENGTH_SHARE = 0.5
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
    dropped: str = ""  # why a later sentence of an accepted summary was left out


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
    """Words a summary of a piece may have: half the piece, at least 20 but never more than
    the piece itself with the speaker, a reporting verb and „ob“ („X fragt, ob …“), at most 45."""
    return min(MAX_SUMMARY_WORDS, max(min(20, piece_words + 3), piece_words // 2))


def copied(sentence: str, source: str, label: str = "") -> bool:
    """The sentence, without its „X erklärt,“, is mostly the transcript's words in its order.

    Word 6-grams for a long sentence; a short one („X erklärt: Wir unterstützen den
    Radverkehr grundsätzlich.“) of a longer piece has too few of them and is judged by
    4-grams. One repeated term („die Erhöhung der Beiträge“) is no copy.
    """
    body = sentence
    if label:
        body = re.sub(re.escape(label), " ", body, flags=re.IGNORECASE)
    body = re.sub(r"^\W*(?:NN\s+)?\w+\s*[,:]\s*", "", body.strip())  # the reporting verb
    # a short piece („Ist die Ampel an der Schulstraße repariert?“) can only be reported by
    # repeating its terms: 4-grams only where the source leaves room to paraphrase
    n = 4 if len(body.split()) < 14 and len(source.split()) >= 20 else 6
    # a body shorter than n words („Neue Bäume finden wir gut.“) is judged by its own length
    n = max(3, min(n, len(body.split())))
    return verbatim_share(body, source, n) > MAX_SENTENCE_VERBATIM


def check(summary: str, source: str, known: list[str], label: str = "") -> str:
    """Why ``summary`` cannot be used ("" when it can): no answer, too long (not counting the
    speaker's ``label``), copied, a name or number found neither in the contribution nor
    in roster/agenda, or a position (dafür/dagegen/Enthaltung) the contribution does not state."""
    if not summary:
        return "keine brauchbare Antwort"
    for sent in sentences(summary):
        if copied(sent, source, label):
            return "wörtlich übernommen"
    own = len(summary.split())
    if label:  # the speaker's label counts as one word, however long
        own -= summary.lower().count(label.lower()) * (len(label.split()) - 1)
    if own > max_summary_words(len(source.split())):
        return "zu lang"
    bad = invented(summary, [source, *known], COMMON.split())
    numbers = [b for b in bad if b.isdigit()]
    if len(numbers) < len(bad):
        return "Name nicht belegt: " + ", ".join([b for b in bad if not b.isdigit()][:3])
    if numbers:
        return "Zahl nicht belegt: " + ", ".join(numbers[:3])
    return position_error(summary, source)  # „unterstütze“ where the speaker said „lehnen … ab“


def example_terms(template: PromptTemplate) -> set[str]:
    """Nouns of the prompt's examples („Zuschuss“, „Personalkosten“): in a summary of a
    contribution that does not contain them, the model copied its example, not the speaker."""
    system = template.render(contribution="")[0]["content"]
    examples = system.split("Beispiel 1", 1)[-1] if "Beispiel 1" in system else ""
    frame = {"Beispiel", "Redebeitrag", "Zusammenfassung", *COMMON.split()}
    return {w for w in re.findall(r"\b[A-ZÄÖÜ][a-zäöüß]{4,}\b", examples)} - frame


def leaked(summary: str, source: str, terms: set[str]) -> list[str]:
    low = source.lower()
    return [  # by stem: „Zuschüsse“ in the contribution backs „Zuschuss“
        w for w in terms if re.search(rf"\b{w}\b", summary) and w.lower()[: max(4, len(w) - 3)] not in low
    ]


def usable_part(
    summary: str, source: str, known: list[str], label: str = "", examples: set[str] | None = None
) -> tuple[str, str, str]:
    """(text, why rejected, why a later sentence was dropped) of a model summary.

    The 1.5B model often writes one good sentence and then goes on copying the contribution
    or its prompt's examples: the first sentence decides (rejected: the rules take over); a
    later sentence that is copied, too long, taken from the examples or not backed by the
    transcript is dropped, the rest is kept.
    """
    sents = sentences(summary)
    if not sents:
        return "", "keine brauchbare Antwort", ""
    copied_example = leaked(sents[0], source, examples or set())
    if copied_example:
        return "", "aus den Beispielen: " + ", ".join(sorted(copied_example)[:3]), ""
    why = check(sents[0], source, known, label)
    if why:
        return "", why, ""
    kept, dropped = [sents[0]], ""
    for sent in sents[1:]:
        later = check(" ".join([*kept, sent]), source, known, label)
        if leaked(sent, source, examples or set()):
            later = "aus den Beispielen"
        if later:
            dropped = dropped or later
        else:
            kept.append(sent)
    text = " ".join(kept)
    terms = key_terms(source)
    if (
        len(source.split()) >= MIN_COVERED_WORDS
        and terms
        and coverage(text, terms) == 0
        and not keeps_position(text, source)
    ):
        return "", "Kerninhalt fehlt", dropped  # only the preamble („Ich wollte nichts sagen, aber …“)
    return text, "", dropped


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
    item_words: int = 0,
) -> BeratungResult:
    """Summaries of the substantive contributions of one item (all pieces in one batch).

    ``item_words``: the item's transcript words; when the Beratung comes out longer than
    ``LENGTH_SHARE`` of them, the longest texts are replaced by short rule extracts."""
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
    placed: list[tuple[int, int, str, str]] = []  # (contribution, position in per, piece, label)
    examples = example_terms(template)
    for (i, piece), reply in zip(jobs, replies, strict=True):
        c = chosen[i]
        label = c.label
        summary = finish_summary(reply, label)
        if per.get(i):  # a later piece of the same contribution: no second introduction
            summary = summary.replace(
                upper_first(label) + " erklärt", upper_first(label) + " führt weiter aus"
            )
        # judged as the model wrote it (a copied sentence stays a copy when its verb is shifted),
        # printed in Konjunktiv I
        summary, why, dropped = usable_part(summary, piece, [label, *known], label, examples)
        summary = verb_final(shift_unreported(summary, label))
        result.decisions.append(Decision(label, len(piece.split()), why, reply.strip(), dropped))
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
            placed.append((i, len(per.get(i, [])), piece, label))
            per.setdefault(i, []).append(summary)
    if item_words:  # a text the rules made shorter is flagged like a rejected summary
        for label in shorten(per, placed, LENGTH_SHARE * item_words):
            if label not in result.fallbacks:
                result.fallbacks.append(label)
    result.paragraphs = [" ".join(per[i]) for i in sorted(per)]
    return result


def shorten(per: dict[int, list[str]], placed: list[tuple[int, int, str, str]], budget: float) -> list[str]:
    """Over ``budget`` words: the texts longest against their piece (a 16-word remark reported
    in 25 words) become short rule extracts, one after another until the budget holds.
    Returns the labels whose text was replaced."""
    replaced: list[str] = []

    def excess(entry: tuple[int, int, str, str]) -> float:
        i, at, piece, _ = entry
        return len(per[i][at].split()) / max(1, len(piece.split()))

    for i, at, piece, label in sorted(placed, key=excess, reverse=True):
        if sum(len(t.split()) for texts in per.values() for t in texts) <= budget:
            break
        short = extract(piece, label, short=True)
        if short and len(short.split()) < len(per[i][at].split()):
            per[i][at] = short
            replaced.append(label)
    return replaced


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
    words = sum(len(s.text.split()) for s in segments)
    result = summarise_item(contribs, engine, template, known, cancel=cancel, item_words=words)
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
