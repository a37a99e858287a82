"""Split a person's name as written on a roster ("Herr Dr. Max Schnell", "Schnell, Anna")."""

from __future__ import annotations

import re
from dataclasses import dataclass

FORMS_OF_ADDRESS = (
    "Herr", "Frau", "Ratsherr", "Ratsfrau", "Ratsmitglied", "Stadtrat", "Stadträtin",
    "Stadtverordneter", "Stadtverordnete", "Gemeinderat", "Gemeinderätin", "Kreisrat", "Kreisrätin",
    "Bürgermeister", "Bürgermeisterin", "Oberbürgermeister", "Oberbürgermeisterin",
    "Bezirksbürgermeister", "Bezirksbürgermeisterin", "Ortsvorsteher", "Ortsvorsteherin",
    "Beigeordneter", "Beigeordnete", "Landrat", "Landrätin", "Bezirksvertreter", "Bezirksvertreterin",
)  # fmt: skip
_TITLE = re.compile(r"^(?:Dr|Prof|Dipl|Mag|Ing|B\.?A|M\.?A|LL\.?M)[\w.\-]*\.?$|^[\w\-]+\.$")
_PARTICLES = {"von", "van", "de", "der", "den", "zu", "zur", "vom", "di", "da", "ten", "ter"}


@dataclass
class NameParts:
    form_of_address: str = ""
    titles: str = ""
    given_name: str = ""
    family_name: str = ""

    @property
    def display(self) -> str:
        """The name without the form of address ("Dr. Max Schnell")."""
        return " ".join(p for p in (self.titles, self.given_name, self.family_name) if p)


def split_name(text: str) -> NameParts:
    """Form of address, academic titles, given and family name of ``text``."""
    text = re.sub(r"\s+", " ", text.strip())
    family_first = ""
    if text.count(",") == 1:  # "Schnell, Dr. Max"
        family_first, _, text = (p.strip() for p in text.partition(","))
    parts = NameParts()
    words = text.split(" ") if text else []
    if words and words[0] in FORMS_OF_ADDRESS:
        parts.form_of_address = words.pop(0)
    titles = []
    while words and _TITLE.match(words[0]) and (len(words) > 1 or family_first):
        titles.append(words.pop(0))
    parts.titles = " ".join(titles)
    if family_first:
        parts.family_name, parts.given_name = family_first, " ".join(words)
        return parts
    if not words:
        return parts
    family = [words.pop()]
    while words and words[-1].lower() in _PARTICLES:
        family.insert(0, words.pop())
    parts.family_name = " ".join(family)
    parts.given_name = " ".join(words)
    return parts
