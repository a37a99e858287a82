"""German verb forms for reported speech: indicative -> Konjunktiv I, the finite forms
the rules know, and a finite verb put at the end of a subordinate clause."""

from __future__ import annotations

import re

# Indicative -> Konjunktiv I (third person); plural forms whose Konjunktiv I equals the
# indicative take Konjunktiv II ("sie haben" -> "sie hätten").
KONJ_3 = {
    "ist": "sei",
    "sind": "seien",
    "hat": "habe",
    "haben": "hätten",
    "wird": "werde",
    "werden": "würden",
    "kann": "könne",
    "können": "könnten",
    "muss": "müsse",
    "müssen": "müssten",
    "soll": "solle",
    "sollen": "sollten",
    "will": "wolle",
    "wollen": "wollten",
    "darf": "dürfe",
    "dürfen": "dürften",
    "gibt": "gebe",
    "geht": "gehe",
    "steht": "stehe",
    "liegt": "liege",
    "bleibt": "bleibe",
    "kommt": "komme",
    "fehlt": "fehle",
    "braucht": "brauche",
    "stimmt": "stimme",
    "macht": "mache",
    "zeigt": "zeige",
    "bedeutet": "bedeute",
    "kostet": "koste",
    "weiß": "wisse",
    "sieht": "sehe",
    "hält": "halte",
    "trägt": "trage",
    "gilt": "gelte",
    "lohnt": "lohne",
    "reicht": "reiche",
    "betrifft": "betreffe",
    "brauchen": "bräuchten",
    "gehen": "gingen",
    "kommen": "kämen",
    "fehlen": "fehlten",
    "liegen": "lägen",
    "unterstützt": "unterstütze",
    "beantragt": "beantrage",
    "lehnt": "lehne",
    "fordert": "fordere",
    "begrüßt": "begrüße",
    "findet": "finde",
    "möchte": "möchte",
    "sollte": "solle",
    "bringt": "bringe",
    "führt": "führe",
}
# First person plural (after "wir" -> "die Fraktion") -> Konjunktiv I singular.
WIR_IRREGULAR = {
    "sind": "sei",
    "haben": "habe",
    "werden": "werde",
    "können": "könne",
    "müssen": "müsse",
    "sollen": "solle",
    "wollen": "wolle",
    "dürfen": "dürfe",
    "wissen": "wisse",
    "tun": "tue",
    "möchten": "möchte",
    "waren": "war",  # past: to the perfect by ``main_past`` / ``konj_last``
    "hatten": "hatte",
    "wurden": "wurde",
}
# First person singular -> Konjunktiv I (the speaker in the third person).
ICH_IRREGULAR = {
    "bin": "sei",
    "kann": "könne",
    "muss": "müsse",
    "will": "wolle",
    "darf": "dürfe",
    "soll": "solle",
    "weiß": "wisse",
}
# Indicative finite forms (a question that starts with one is a yes/no question).
FINITE = set(KONJ_3) | set(
    [
        "gab",
        "gäbe",
        "war",
        "waren",
        "wäre",
        "wären",
        "würde",
        "würden",
        "könnte",
        "könnten",
        "sollte",
        "sollten",
        "hätte",
        "hätten",
        "besteht",
        "bestehen",
        "plant",
        "planen",
        "weiß",
        "wissen",
        "wurde",
        "wurden",
        "hatte",
        "hatten",
    ]
)
# Finite verb forms the rules know: indicative and the Konjunktiv forms they write.
FINITE_FORMS = frozenset(
    FINITE
    | set(KONJ_3.values())
    | {v for v in [*WIR_IRREGULAR.values(), *ICH_IRREGULAR.values()] if " " not in v}
    | {"seien", "wolle", "gelte", "erachte", "finde", "bitte", "befürworte", "unterstützt", "lehnt"}
)
# Verbs that take an infinitive or participle (their last word is no separable prefix).
AUXILIARIES = frozenset(
    [
        "sei",
        "seien",
        "ist",
        "sind",
        "habe",
        "hat",
        "haben",
        "hätte",
        "hätten",
        "werde",
        "wird",
        "werden",
        "würde",
        "würden",
        "könne",
        "kann",
        "können",
        "könnte",
        "könnten",
        "müsse",
        "muss",
        "müssen",
        "müsste",
        "müssten",
        "solle",
        "soll",
        "sollen",
        "sollte",
        "sollten",
        "wolle",
        "will",
        "wollen",
        "wollte",
        "wollten",
        "dürfe",
        "darf",
        "dürfen",
        "dürfte",
        "dürften",
        "möchte",
        "möchten",
        "war",
        "waren",
        "wäre",
        "wären",
    ]
)
# Separable prefixes that stand at the end of a main clause („lehnt … ab“) and join the
# verb at the end of a subordinate clause („… ablehne“).
SEPARABLE = frozenset(
    [
        "ab",
        "an",
        "auf",
        "aus",
        "bei",
        "ein",
        "fest",
        "fort",
        "her",
        "herein",
        "heraus",
        "hin",
        "hinzu",
        "los",
        "mit",
        "nach",
        "vor",
        "vorbei",
        "weg",
        "weiter",
        "zu",
        "zurück",
        "zusammen",
        "dar",
        "dazu",
        "fern",
        "statt",
        "teil",
    ]
)


def verb_last(body: str, verb: str) -> str:
    """``body`` + the finite ``verb`` at the end in Konjunktiv I; a separable prefix left
    at the body's end joins it („die Fraktion dem Antrag zu“ + „stimmt“ -> „… zustimme“)."""
    words = body.split()
    low = verb.lower()
    if words and words[-1] in SEPARABLE and low not in AUXILIARIES:
        return " ".join([*words[:-1], konj_last(words[-1] + low, "")])
    return " ".join([*words, konj_last(low, words[-1] if words else "")])


def konj_last(verb: str, before: str) -> str:
    """The clause-final finite ``verb`` in Konjunktiv I; a past form becomes the perfect
    („ausgesetzt wurde“ -> „ausgesetzt worden sei“, „überrascht war“ -> „überrascht gewesen sei“)."""
    participle = before.islower() and (
        re.search(r"ge\w+(?:t|en)$", before) is not None or before.endswith("t")
    )
    past = {
        "war": "gewesen sei",
        "waren": "gewesen seien",
        "wurde": "worden sei" if participle else "geworden sei",
        "wurden": "worden seien" if participle else "geworden seien",
        "hatte": "habe" if participle else "gehabt habe",
        "hatten": "hätten" if participle else "gehabt hätten",
    }
    return past.get(verb, konj_3(verb))


# Strong verbs whose third person changes the stem vowel; a prefixed verb ("zunimmt",
# "entspricht") ends in one of them.
_STRONG_3 = {
    "nimmt": "nehme",
    "spricht": "spreche",
    "bricht": "breche",
    "gibt": "gebe",
    "sieht": "sehe",
    "liest": "lese",
    "hält": "halte",
    "trägt": "trage",
    "fällt": "falle",
    "lässt": "lasse",
    "läuft": "laufe",
    "tritt": "trete",
    "hilft": "helfe",
    "wirft": "werfe",
    "trifft": "treffe",
    "fährt": "fahre",
    "schlägt": "schlage",
    "fiehlt": "fehle",
    "wächst": "wachse",
    "gilt": "gelte",
    "misst": "messe",
    "stößt": "stoße",
    "vergisst": "vergesse",
    "rät": "rate",
    "lädt": "lade",
    "tut": "tue",
}


def konj_3(verb: str) -> str:
    """A third-person indicative verb in Konjunktiv I ("bezahlt" -> "bezahle", "arbeitet" ->
    "arbeite", "zunimmt" -> "zunehme"); other words unchanged."""
    if verb in KONJ_3:
        return KONJ_3[verb]
    for strong, konj in _STRONG_3.items():
        if verb.endswith(strong):
            return verb[: -len(strong)] + konj
    if verb.endswith("et"):
        return verb[:-1]
    if verb.endswith("t") and len(verb) > 3:
        return verb[:-1] + "e"
    return verb


# A speaker's own act or view in the first person („ich stelle fest“, „ich bitte um …“, „ich bin
# der Meinung“): reported in the third person indicative with the speaker as subject („Die
# Sitzungsleitung stellt fest, dass …“); only what follows is Konjunktiv. Keys are the forms
# ``to_reported`` leaves after the speaker (the ich-form, or its Konjunktiv I: „bin“ -> „sei“).
ACT_3 = {
    "stelle": "stellt", "bitte": "bittet", "frage": "fragt", "beantrage": "beantragt",
    "danke": "dankt", "bedanke": "bedankt", "begrüße": "begrüßt", "schlage": "schlägt",
    "weise": "weist", "erinnere": "erinnert", "eröffne": "eröffnet", "schließe": "schließt",
    "rufe": "ruft", "verweise": "verweist", "meine": "meint", "finde": "findet",
    "glaube": "glaubt", "denke": "denkt", "halte": "hält", "sehe": "sieht", "hoffe": "hofft",
    "möchte": "möchte", "erkläre": "erklärt", "kritisiere": "kritisiert", "lehne": "lehnt",
    "unterstütze": "unterstützt", "befürworte": "befürwortet", "stimme": "stimmt",
    "appelliere": "appelliert", "plädiere": "plädiert", "empfehle": "empfiehlt", "gebe": "gibt",
    "spreche": "spricht", "fordere": "fordert", "rege": "regt", "betone": "betont", "sei": "ist",
    "gehe": "geht", "freue": "freut", "bedaure": "bedauert", "mache": "macht", "teile": "teilt",
    "beantworte": "beantwortet", "informiere": "informiert", "berichte": "berichtet",
    "erteile": "erteilt", "übergebe": "übergibt", "gratuliere": "gratuliert", "lasse": "lässt",
    "komme": "kommt", "unterbreche": "unterbricht", "wiederhole": "wiederholt", "müsse": "muss",
    "könne": "kann", "wolle": "will",
}  # fmt: skip


# Past forms of a main clause -> (Konjunktiv I auxiliary, participle at the clause's end).
_MAIN_PAST = {
    "war": ("sei", "gewesen"),
    "waren": ("seien", "gewesen"),
    "wurde": ("sei", "geworden"),
    "wurden": ("seien", "geworden"),
    "hatte": ("habe", "gehabt"),
    "hatten": ("hätten", "gehabt"),
    "gab": ("habe", "gegeben"),
    "ging": ("sei", "gegangen"),
    "kam": ("sei", "gekommen"),
    "blieb": ("sei", "geblieben"),
    "sagte": ("habe", "gesagt"),
}
_PARTICIPLE = re.compile(
    r"^(?:[a-zäöüß]*ge[a-zäöüß]+(?:t|en)|(?:be|ver|er|ent|zer|emp|miss)[a-zäöüß]{3,}(?:t|en)|[a-zäöüß]+iert)$"
)
_CLAUSE_END = re.compile(r"\s+(?:und|aber|oder|sondern|denn)\s+|\s*[,;:–.!?…]|$")


def main_past(clause: str) -> str:
    """A past form in reported speech to Konjunktiv I perfect: in a main clause the auxiliary
    takes its place and the participle goes to the clause's end („die Vorlage war gut“ ->
    „die Vorlage sei gut gewesen“, „es wurde eingeladen“ -> „es sei eingeladen worden“, „es
    gab keine Einwände“ -> „es habe keine Einwände gegeben“); at a clause's end see ``konj_last``."""
    out, pos = [], 0
    for m in re.finditer(r"\b(" + "|".join(_MAIN_PAST) + r")\b", clause):
        if m.start() < pos:
            continue
        end = _CLAUSE_END.search(clause, m.end())
        assert end is not None  # "$" always matches
        middle = clause[m.end() : end.start()]
        words = middle.split()
        if not words:  # the clause's last word: a subordinate clause („…, dass es gut war“)
            before = clause[: m.start()].split()
            out.append(clause[pos : m.start()] + konj_last(m.group(1), before[-1] if before else ""))
        else:
            aux, participle = _MAIN_PAST[m.group(1)]
            last = words[-1]
            if _PARTICIPLE.match(last):  # „wurde … eingeladen“, „hatte … beschlossen“, „war … gekommen“
                participle = "worden" if m.group(1) in ("wurde", "wurden") else ""
            tail = f"{middle} {participle}" if participle else middle
            out.append(clause[pos : m.start()] + aux + tail)
        pos = end.start()
    return "".join(out) + clause[pos:]
