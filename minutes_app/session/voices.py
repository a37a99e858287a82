"""A confirmed speaker name and the voice profiles (enrolment, taking a part back). Qt-free.

When the secretary confirms a speaker's name in a finished session, that speaker's speech
(its transcript segments, CAM++ windows, ``diarization/profiles.py``) becomes the named
person's part of their profile (``profiles.ProfileStore.enrol``), only for a roster person
of the session's Gremium with recorded consent. Each part is kept per session folder and
speaker: when the name changes again or the rename is undone, the part is taken out of
the wrong person's profile (``ProfileStore.take_back``) before the new name is enrolled,
so no profile stays trained on someone else's voice. ``api.Session.enrol_voice`` runs this
and writes the session's audit entries.

When segments move between speakers (reassigned, a speaker merged into another, split or
joined; ``speech_layout`` / ``moved_speakers`` find whose speech changed), the part of each
such speaker that ``followed_speakers`` names is learned again from the speech it has now
(``sync_speaker(moved=True)``, run by ``api.Session.sync_voices``), or taken back when the
speaker has no speech left or the recording is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .profiles import ProfileStore

ENROLLED = "stimmprofil_aktualisiert"
TAKEN_BACK = "stimmprofil_zurueckgenommen"


@dataclass
class VoiceChange:
    action: str  # ENROLLED or TAKEN_BACK
    person: str
    windows: int
    message: str


def session_key(project: Any) -> str:
    """Identity of a session in the profiles' parts: its folder (the display name may change)."""
    return str(Path(project.folder).resolve())


def diarization_model_dir(settings: Any = None) -> Path:
    """The diarization model of the settings: enrolment embeds with the model matching uses."""
    from ..base.settings import Settings
    from ..models.store import ModelStore

    settings = settings if settings is not None else Settings.load()
    model_id = str(settings.get("diarization_model") or "pyannote-campp")
    return Path(ModelStore.default().get(model_id).path)


def sync_speaker(
    project: Any,
    speaker_id: str,
    store: ProfileStore,
    model_dir: Path | None = None,
    cancel: Any = None,
    moved: bool = False,
) -> list[VoiceChange]:
    """Bring the profiles in line with the name ``speaker_id`` now has in ``project`` and
    with the speech its segments now hold.

    1. Any part of this session's ``speaker_id`` in the profile of a person other than the
       current name is taken out (the name was changed or the rename undone).
    2. When the name is a roster person of the session's Gremium with recorded consent, and
       the session has a recording and a transcript, the speaker's confirmed speech becomes
       that person's part (replacing an earlier one). Otherwise nothing is stored.
    3. A speaker left without segments loses its part; so does one whose segments changed
       (``moved``) when the recording is gone and the part cannot be computed again.
    """
    from ..audio.decode import open_pcm
    from ..diarization.profiles import Embedder, speech_vectors

    person = project.speaker_names.get(speaker_id, "").strip()
    gremium = project.info.committee.strip()
    if not gremium:
        return []
    key = session_key(project)
    out = _taken_back(store.take_back(gremium, key, speaker_id, keep=person), speaker_id)
    roster = {a.name.strip() for a in project.attendees}
    if not person or person not in roster or store.get(gremium, person) is None:
        return out  # no roster person or no recorded consent: the speech is not used
    if "align" not in project.data.get("stages", {}) or not project.pcm_path.is_file():
        if moved:  # the speech changed and cannot be embedded again: the old part no longer fits
            return out + _taken_back(
                store.take_back(gremium, key, speaker_id, reason="Aufnahme gelöscht, nicht neu berechnet"),
                speaker_id,
            )
        return out
    spans = speech_spans(project.load_result("align").get("segments", []), speaker_id)
    if not spans:  # every segment moved to other speakers: nothing of this voice is left to learn
        return out + _taken_back(
            store.take_back(gremium, key, speaker_id, reason="keine Rede mehr"), speaker_id
        )
    embedder = Embedder(model_dir or diarization_model_dir())
    vectors = speech_vectors(open_pcm(project.pcm_path), spans, embedder, cancel=cancel)
    if store.enrol(gremium, person, vectors, project.name, speaker_id, key) is None:
        return out
    message = f"Stimmprofil von {person} aus {len(vectors)} Abschnitten bestätigter Rede aktualisiert."
    return [*out, VoiceChange(ENROLLED, person, len(vectors), message)]


def _taken_back(profiles: list[Any], speaker_id: str) -> list[VoiceChange]:
    return [
        VoiceChange(
            TAKEN_BACK, p.person, 0, f"Stimmprofil von {p.person}: Abschnitte von {speaker_id} entfernt."
        )
        for p in profiles
    ]


def speech_spans(segments: list[Any], speaker_id: str) -> list[tuple[float, float]]:
    """(start, end) of ``speaker_id``'s segments (dicts of a stage file or ``Segment`` objects)."""
    rows = [
        s if isinstance(s, dict) else {"start": s.start, "end": s.end, "speaker": s.speaker} for s in segments
    ]
    return [(float(s["start"]), float(s["end"])) for s in rows if s.get("speaker") == speaker_id]


def speech_layout(segments: list[Any]) -> dict[str, tuple[tuple[float, float], ...]]:
    """Speaker -> the sorted spans of its segments: what its profile part is learned from."""
    out: dict[str, list[tuple[float, float]]] = {}
    for seg in segments:
        if seg.speaker:
            out.setdefault(seg.speaker, []).append((float(seg.start), float(seg.end)))
    return {speaker: tuple(sorted(spans)) for speaker, spans in out.items()}


def moved_speakers(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Speakers whose speech differs between two ``speech_layout`` results (segments moved to
    or from them, a speaker merged into another, split or joined segments)."""
    return sorted(s for s in before.keys() | after.keys() if before.get(s) != after.get(s))


def followed_speakers(project: Any, store: ProfileStore) -> set[str]:
    """The speakers of ``project`` whose profile parts follow their speech: those whose speech
    taught a part to a profile of the session's Gremium, and those whose confirmed name is a
    roster person with recorded consent (moving speech back to them, e.g. by undo, enrols it
    again as confirming the name would). Others are never enrolled by moving speech."""
    gremium = project.info.committee.strip()
    if not gremium:
        return set()
    roster = {a.name.strip() for a in project.attendees} & {p.person for p in store.profiles(gremium)}
    named = {s for s, name in project.speaker_names.items() if name.strip() in roster}
    return store.speakers_of(gremium, session_key(project)) | named


@dataclass
class RosterConsent:
    """One roster person of a session and their voice-profile consent (None: none recorded)."""

    person: str
    profile: Any  # profiles.VoiceProfile | None

    @property
    def text(self) -> str:
        """German state line: consent (who, when, basis) and how much was learned."""
        p = self.profile
        if p is None:
            return "keine Einwilligung"
        when = p.consent.recorded_at[:16].replace("T", " ")
        learned = f"{p.count} Abschnitte angelernt" if p.enrolled else "noch nicht angelernt"
        return f"Einwilligung erfasst von {p.consent.recorded_by} am {when} ({p.consent.basis}); {learned}"


def roster_consent(project: Any, store: ProfileStore) -> list[RosterConsent]:
    """The session roster's persons with their consent in the Gremium of the session's Kopf."""
    gremium = project.info.committee.strip()
    names = list(dict.fromkeys(a.name.strip() for a in project.attendees if a.name.strip()))
    return [RosterConsent(n, store.get(gremium, n) if gremium else None) for n in names]
