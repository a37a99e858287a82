"""Stored voice profiles (Stimmprofile) with consent and audit. Qt-free.

Voice embeddings are biometric data (DSGVO Art. 9): a profile exists only with the
person's recorded consent (who recorded it, when, on what basis), belongs to one person
of one Gremium's roster, and is kept only in this PC's data folder (or the admin's
shared folder, setting ``voice_profiles_dir``) in ``voice_profiles/profiles.json``
(0600), never in a session folder or an export. Every creation, use and deletion is
written to ``voice_profiles/audit.jsonl`` beside the store. Withdrawing consent deletes
the profile at once; deleting a session removes every part it taught (``forget_session``).
The whole feature is off until the setting ``voice_profiles`` is on.

Computing embeddings is ``diarization/profiles.py``; this module only stores them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..base import jsonio
from ..base.errors import ProjectError, UserError
from ..base.fileio import open_append, private_dirs, write_json
from ..base.jsonio import read_file
from . import audit
from .lock import folder_lock

FOLDER = "voice_profiles"
STORE_FILE = "profiles.json"
AUDIT_FILE = "audit.jsonl"
SCHEMA_VERSION = 1


@dataclass
class Consent:
    recorded_by: str  # who recorded the consent
    recorded_at: str  # when (ISO time)
    basis: str  # on what basis ("schriftliche Einwilligung vom 03.12.2026")


@dataclass
class VoiceProfile:
    gremium: str
    person: str
    consent: Consent
    vector: list[float] = field(default_factory=list)  # running mean of L2-normalised embeddings
    count: int = 0  # windows in the mean
    sessions: list[str] = field(default_factory=list)  # sessions it was enrolled from
    updated: str = ""
    # one contribution per confirmed speaker of a session: {"key", "session", "speaker", "vector",
    # "count"}; the profile is their weighted mean, so a renamed (or undone) speaker's share can
    # be taken out again. "key" is the session folder; a profile from before parts has key "".
    parts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def enrolled(self) -> bool:
        return self.count > 0 and bool(self.vector)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> VoiceProfile:
        c = d.get("consent") or {}
        return VoiceProfile(
            gremium=str(d["gremium"]),
            person=str(d["person"]),
            consent=Consent(
                str(c.get("recorded_by", "")), str(c.get("recorded_at", "")), str(c.get("basis", ""))
            ),
            vector=[float(x) for x in d.get("vector", [])],
            count=int(d.get("count", 0)),
            sessions=[str(s) for s in d.get("sessions", [])],
            updated=str(d.get("updated", "")),
            parts=[_part(x) for x in d.get("parts", [])],
        )

    def recompute(self) -> None:
        """``vector``, ``count`` and ``sessions`` from the parts (count-weighted mean)."""
        parts = [x for x in self.parts if x["count"] > 0 and x["vector"]]
        self.count = sum(int(x["count"]) for x in parts)
        if not parts:
            self.vector = []
        else:
            total = np.sum([np.asarray(x["vector"]) * int(x["count"]) for x in parts], axis=0)
            self.vector = [round(float(v), 6) for v in total / self.count]
        self.sessions = list(dict.fromkeys(str(x["session"]) for x in parts))


def _part(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": str(d.get("key", "")),
        "session": str(d.get("session", "")),
        "speaker": str(d.get("speaker", "")),
        "vector": [float(v) for v in d.get("vector", [])],
        "count": int(d.get("count", 0)),
    }


def default_folder() -> Path:
    from ..base.settings import data_dir

    return data_dir() / FOLDER


def _clean(text: str, what: str) -> str:
    value = " ".join(str(text or "").split())
    if not value:
        raise UserError(f"{what} fehlt.")
    return value


class ProfileStore:
    """The voice profiles of this PC (or the shared folder); ``user`` is the name in audit entries."""

    def __init__(self, folder: str | os.PathLike[str] | None = None, user: str | None = None) -> None:
        self.folder = Path(folder) if folder else default_folder()
        self.user = user

    @classmethod
    def from_settings(cls, settings: Any, user: str | None = None) -> ProfileStore | None:
        """The store when the admin enabled voice profiles, else None."""
        if not settings.get("voice_profiles"):
            return None
        return cls.of_settings(settings, user)

    @classmethod
    def of_settings(cls, settings: Any, user: str | None = None) -> ProfileStore:
        """The store the settings name, also while the feature is switched off: what was
        stored can always be seen and deleted (a deleted session's parts go with it)."""
        folder = str(settings.get("voice_profiles_dir") or "").strip()
        return cls(Path(folder) / FOLDER if folder else None, user)

    @property
    def path(self) -> Path:
        return self.folder / STORE_FILE

    @property
    def audit_path(self) -> Path:
        return self.folder / AUDIT_FILE

    # -- storage -----------------------------------------------------------------------------------
    def _load(self) -> list[VoiceProfile]:
        if not self.path.is_file():
            return []
        data = read_file(self.path, dict, what="Die Stimmprofildatei", error=ProjectError)
        try:
            return [VoiceProfile.from_dict(p) for p in data.get("profiles", [])]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ProjectError(
                f"Die Stimmprofile „{self.path}“ sind beschädigt und können nicht gelesen werden."
            ) from exc

    def _save(self, profiles: list[VoiceProfile]) -> None:
        private_dirs(self.folder)
        write_json(self.path, {"schema_version": SCHEMA_VERSION, "profiles": [p.to_dict() for p in profiles]})

    def _log(
        self, action: str, profile: VoiceProfile | None, gremium: str, person: str, note: str = ""
    ) -> None:
        private_dirs(self.folder)
        line = {
            "time": audit.now(),
            "user": self.user or audit.current_user(),
            "action": action,
            "gremium": gremium,
            "person": person,
            "count": profile.count if profile else 0,
            "note": note,
        }
        with open_append(self.audit_path) as fh:
            fh.write((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())

    def _lock(self) -> Any:
        private_dirs(self.folder)
        return folder_lock(self.folder)

    # -- reading -----------------------------------------------------------------------------------
    def profiles(self, gremium: str | None = None) -> list[VoiceProfile]:
        return [p for p in self._load() if gremium is None or p.gremium == gremium]

    def get(self, gremium: str, person: str) -> VoiceProfile | None:
        return next((p for p in self._load() if p.gremium == gremium and p.person == person), None)

    def audit_lines(self, gremium: str | None = None, person: str | None = None) -> list[dict[str, Any]]:
        if not self.audit_path.is_file():
            return []
        out = []
        for raw in self.audit_path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                line = jsonio.loads(raw, dict)  # bounded; a line that is no object is skipped too
            except ValueError:
                continue  # a torn last line
            if (gremium is None or line.get("gremium") == gremium) and (
                person is None or line.get("person") == person
            ):
                out.append(line)
        return out

    # -- consent and deletion ----------------------------------------------------------------------
    def record_consent(self, gremium: str, person: str, recorded_by: str, basis: str) -> VoiceProfile:
        """The person's consent: the (empty) profile exists from now on and may be enrolled."""
        gremium = _clean(gremium, "Der Name des Gremiums")
        person = _clean(person, "Der Name der Person")
        consent = Consent(
            _clean(recorded_by, "Wer die Einwilligung erfasst hat,"),
            audit.now(),
            _clean(basis, "Die Grundlage der Einwilligung"),
        )
        with self._lock():
            profiles = self._load()
            old = next((p for p in profiles if p.gremium == gremium and p.person == person), None)
            if old is not None:
                old.consent = consent
                profile = old
            else:
                profile = VoiceProfile(gremium, person, consent, updated=consent.recorded_at)
                profiles.append(profile)
            self._save(profiles)
            self._log(
                "einwilligung_erfasst",
                profile,
                gremium,
                person,
                f"{consent.basis} (erfasst von {consent.recorded_by})",
            )
        return profile

    def delete(self, gremium: str, person: str, reason: str = "gelöscht") -> bool:
        """Delete the profile (with its consent) at once; False when there was none."""
        with self._lock():
            profiles = self._load()
            keep = [p for p in profiles if not (p.gremium == gremium and p.person == person)]
            if len(keep) == len(profiles):
                return False
            self._save(keep)
            self._log("stimmprofil_geloescht", None, gremium, person, reason)
        return True

    def withdraw_consent(self, gremium: str, person: str) -> bool:
        """Consent withdrawn: the profile is deleted at once."""
        return self.delete(gremium, person, "Einwilligung widerrufen")

    # -- enrolment and use -------------------------------------------------------------------------
    def enrol(
        self,
        gremium: str,
        person: str,
        vectors: list[np.ndarray],
        session: str,
        speaker: str = "",
        key: str = "",
    ) -> VoiceProfile | None:
        """Confirmed speech of ``speaker`` in ``session`` (folder ``key``) becomes ``person``'s part of
        the profile, replacing that speaker's earlier part; None (nothing stored) without consent."""
        from ..diarization.profiles import update_mean

        if not vectors:
            return None
        with self._lock():
            profiles = self._load()
            profile = next((p for p in profiles if p.gremium == gremium and p.person == person), None)
            if profile is None:
                return None  # no consent: nothing is kept
            if profile.enrolled and not profile.parts:  # a profile from before parts: kept as one
                profile.parts.append(
                    _part(
                        {
                            "session": ", ".join(profile.sessions),
                            "vector": profile.vector,
                            "count": profile.count,
                        }
                    )
                )
            mean, count = update_mean(None, 0, vectors)
            kept = [x for x in profile.parts if not (key and x["key"] == key and x["speaker"] == speaker)]
            vector = [round(float(v), 6) for v in mean]
            part = {"key": key, "session": session, "speaker": speaker, "vector": vector, "count": count}
            profile.parts = [*kept, part]
            profile.recompute()
            profile.updated = audit.now()
            self._save(profiles)
            self._log(
                "stimmprofil_aktualisiert",
                profile,
                gremium,
                person,
                f"{len(vectors)} Abschnitte von {speaker or 'Sprecher'} aus „{session}“",
            )
        return profile

    def take_back(
        self, gremium: str, key: str, speaker: str, keep: str = "", reason: str = "Name geändert"
    ) -> list[VoiceProfile]:
        """Remove the part ``speaker`` of session ``key`` added from every profile of ``gremium``
        except ``keep``'s (the speaker was renamed, the rename undone, or the speaker has no
        speech left); the changed profiles. A profile left without parts keeps its consent."""
        if not key:
            return []
        note = f"Abschnitte von {speaker} zurückgenommen ({reason})"
        return self._remove_parts(
            lambda p, x: (
                p.gremium == gremium and p.person != keep and x["key"] == key and x["speaker"] == speaker
            ),
            lambda p: note,
        )

    def forget_session(
        self, key: str, session: str = "", reason: str = "Sitzung gelöscht"
    ) -> list[VoiceProfile]:
        """Remove every part learned from session ``key`` (its folder) from every profile, of
        every Gremium (the session was deleted); the changed profiles. Like ``take_back``, a
        profile left without parts keeps its consent."""
        if not key:
            return []
        name = f" „{session}“" if session else ""
        return self._remove_parts(
            lambda p, x: x["key"] == key,
            lambda p: f"Abschnitte der Sitzung{name} entfernt ({reason})",
        )

    def _remove_parts(
        self, drop: Callable[[VoiceProfile, dict[str, Any]], bool], note: Callable[[VoiceProfile], str]
    ) -> list[VoiceProfile]:
        if not self.path.is_file():
            return []
        changed: list[VoiceProfile] = []
        with self._lock():
            profiles = self._load()
            for profile in profiles:
                left = [x for x in profile.parts if not drop(profile, x)]
                if len(left) == len(profile.parts):
                    continue
                profile.parts = left
                profile.recompute()
                profile.updated = audit.now()
                changed.append(profile)
            if changed:
                self._save(profiles)
            for profile in changed:
                self._log(
                    "stimmprofil_zurueckgenommen", profile, profile.gremium, profile.person, note(profile)
                )
        return changed

    def speakers_of(self, gremium: str, key: str) -> set[str]:
        """The speakers of session ``key`` that taught a part to a profile of ``gremium``."""
        if not key:
            return set()
        return {x["speaker"] for p in self.profiles(gremium) for x in p.parts if x["key"] == key}

    def use(self, gremium: str, session: str, persons: set[str] | None = None) -> dict[str, np.ndarray]:
        """The Gremium's enrolled profiles (of ``persons``, the roster) for comparison; each use is logged."""
        found = {
            p.person: np.asarray(p.vector)
            for p in self.profiles(gremium)
            if p.enrolled and (persons is None or p.person in persons)
        }
        for person in found:
            self._log("stimmprofil_verwendet", None, gremium, person, f"Sitzung „{session}“")
        return found

    def export(self, gremium: str, person: str) -> dict[str, Any]:
        """Art. 15 copy: everything stored about ``person`` (profile, consent, audit lines)."""
        profile = self.get(gremium, person)
        if profile is None:
            raise UserError(f"Für „{person}“ ({gremium}) ist kein Stimmprofil gespeichert.")
        self._log("stimmprofil_ausgegeben", profile, gremium, person, "Auskunft nach Art. 15 DSGVO")
        return {
            "art": "Auskunft nach Art. 15 DSGVO: gespeichertes Stimmprofil",
            "speicherort": str(self.path),
            "profil": profile.to_dict(),
            "protokoll": self.audit_lines(gremium, person),
        }


# -- a session's speech ----------------------------------------------------------------------------
MATCHES_FILE = "voice_matches.json"  # speaker -> person, similarity (no embeddings)


def save_matches(folder: Path, matches: list[Any]) -> None:
    write_json(folder / MATCHES_FILE, {"matches": [m.to_dict() for m in matches]})


def load_matches(folder: Path) -> list[dict[str, Any]]:
    """Profile matches of a session (speaker, person, similarity); [] when there are none."""
    path = Path(folder) / MATCHES_FILE
    if not path.is_file():
        return []
    data = read_file(path, dict, what="Die Datei der Stimmprofil-Treffer", error=ProjectError)
    return [m for m in data.get("matches", []) if isinstance(m, dict)]
