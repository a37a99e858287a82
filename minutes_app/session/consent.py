"""Voice-profile consent and deletion as entries of a session's trail (``Session``'s
``record_voice_consent``, ``withdraw_voice_consent`` and ``delete_voice_profile``).

Consent is no content of the Niederschrift: these steps are allowed on a released session
and never reopen a "geprüft" one. A deletion is done first, before the session is even read,
so a data-protection deletion is never blocked by the session's lock or state; the trail
notes it afterwards, and nothing when there was no profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WITHDRAWN = "Einwilligung widerrufen"  # the store's reason of a withdrawal
DELETED = "gelöscht"  # the store's reason of a deletion given without one


@dataclass(frozen=True)
class ProfileStep:
    """One change of the profile store, as the session's trail notes it."""

    action: str  # an ``audit.ACTIONS`` key
    person: str
    before: str | None  # the Gremium the profile was in (deleted)
    after: str | None  # the Gremium the consent is for (recorded)
    note: str
    message: str  # German line for the user

    @property
    def target(self) -> str:
        return f"Stimmprofil {self.person}"


def record(voices: Any, gremium: str, person: str, by: str, basis: str) -> ProfileStep:
    """``person``'s consent recorded in ``voices`` (a ``profiles.ProfileStore``)."""
    p = voices.record_consent(gremium, person, by, basis)
    note = f"{p.consent.basis} (erfasst von {p.consent.recorded_by})"
    return ProfileStep(
        "einwilligung_erfasst", p.person, None, p.gremium, note, f"Einwilligung von {p.person} erfasst."
    )


def delete(
    voices: Any, gremium: str, person: str, reason: str = "", withdrawn: bool = False
) -> ProfileStep | None:
    """``person``'s profile deleted from ``voices`` at once (``withdrawn``: the withdrawal of
    consent, ``einwilligung_widerrufen``; else ``stimmprofil_geloescht``); None when there was none."""
    reason = reason or (WITHDRAWN if withdrawn else DELETED)
    if not voices.delete(gremium, person, reason):
        return None
    message = f"Stimmprofil von {person} gelöscht."
    if withdrawn:
        return ProfileStep(
            "einwilligung_widerrufen", person, gremium, None, f"{reason}; Stimmprofil gelöscht", message
        )
    return ProfileStep("stimmprofil_geloescht", person, gremium, None, reason, message)
