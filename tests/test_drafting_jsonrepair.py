"""Parse-and-repair of model output: recovers objects, never raises untyped errors."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minutes_app.base.types import Vote
from minutes_app.drafting.itemjson import parse_item_draft
from minutes_app.drafting.jsonrepair import LLMOutputError, parse_llm_json

GOOD = {
    "discussion": "Stadtrat A erklärt, er sei dafür.",
    "motions": ["Antrag der SPD"],
    "resolution": "",
    "vote": {"outcome": "mehrheitlich zugestimmt", "yes": 20, "no": 3, "abstain": None},
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Hier ist das JSON: {"a": 1} und mehr', {"a": 1}),
        ('```json\n{"a": "b"}\n```', {"a": "b"}),
        ('{"a": "abgeschnitten', {"a": "abgeschnitten"}),
        ('{"a": [1, 2, {"b": "c"', {"a": [1, 2, {"b": "c"}]}),
        ('{"a": 1, "b": ', {"a": 1}),
        ('{"a": 1, "b"', {"a": 1}),
        ("{'a': 'einfach', 'b': True, 'c': None}", {"a": "einfach", "b": True, "c": None}),
        ("{“a”: “typografisch”}", {"a": "typografisch"}),
        ('{"a": 1,}', {"a": 1}),
        ('{a: 1, b: "x"}', {"a": 1, "b": "x"}),
        ('{"a": "er sagte "nein" dazu", "b": 2}', {"a": 'er sagte "nein" dazu', "b": 2}),
        ('{"a": "Zeile1\nZeile2"}', {"a": "Zeile1\nZeile2"}),
        ('{"a": "Er sagt „nein“."}', {"a": "Er sagt „nein“."}),
        ('{"a": 1} {"b": 2}', {"a": 1}),
        ('{"a": "\\u00e4\\"x"}', {"a": 'ä"x'}),
    ],
)
def test_repairs(text: str, expected: dict[str, object]) -> None:
    assert parse_llm_json(text)[0] == expected


@pytest.mark.parametrize("text", ["", "keine Struktur", "[1, 2, 3]", "}", '{"a": ' + "[" * 5000])
def test_unrecoverable_raise_typed(text: str) -> None:
    with pytest.raises(LLMOutputError):
        parse_llm_json(text)


def test_item_draft_validation() -> None:
    draft = parse_item_draft(json.dumps(GOOD, ensure_ascii=False))
    assert draft.discussion == GOOD["discussion"] and draft.motions == ["Antrag der SPD"]
    assert draft.vote == Vote("mehrheitlich zugestimmt", 20, 3, None)
    bad = parse_item_draft(
        '{"beratung": ["Satz eins.", "Satz zwei."], "anträge": "Antrag X", '
        '"beschluss": 42, "abstimmung": {"ergebnis": "Mehrheit dafür", "ja": "zwanzig", '
        '"nein": -3, "enthaltungen": true, "belege": ["7", 8]}}'
    )
    assert bad.discussion == "Satz eins. Satz zwei." and bad.motions == ["Antrag X"]
    assert bad.resolution is None  # wrong type -> unusable, falls back to rules
    assert bad.vote == Vote("mehrheitlich zugestimmt", 20, None, None) and bad.vote_segments == [7, 8]
    assert parse_item_draft("Ich kann das nicht.").error


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("{}[]\",:'“”„ \n\\abc01-.tTrueNnl")), max_size=200))
def test_fuzz_structural_noise_never_raises_untyped(text: str) -> None:
    try:
        obj, _ = parse_llm_json(text)
        assert isinstance(obj, dict)
    except LLMOutputError:
        pass
    parse_item_draft(text)  # never raises


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.text(max_size=10), json_values, max_size=5), st.integers(0, 400), st.text(max_size=20)
)
def test_fuzz_truncated_valid_json(obj: dict[str, object], cut: int, prefix: str) -> None:
    text = prefix.replace("{", "(") + json.dumps(obj, ensure_ascii=False)
    full = parse_llm_json(text)[0]
    assert full == obj
    with contextlib.suppress(LLMOutputError):
        parse_llm_json(text[: len(prefix) + cut])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_any_text(text: str) -> None:
    draft = parse_item_draft(text)
    assert draft.discussion is None or isinstance(draft.discussion, str)
    assert draft.vote is None or isinstance(draft.vote, Vote)
