"""Voice profiles (Stimmprofile) on real speech with the real CAM++ model: consent, enrolment
from confirmed names through the session API, use on a second recording of the same people
(AMI dev00 -> dev01), split of a cluster holding two profiled voices, audit, deletion, CLI."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from minutes_app.base.jobs import CancelToken
from minutes_app.base.types import Attendee, Diarization, Segment, SessionInfo, SpeakerTurn
from minutes_app.diarization import metrics
from minutes_app.diarization import profiles as voice
from minutes_app.diarization.devdata import load_audio, real_voice_sessions
from minutes_app.diarization.metrics import read_rttm
from minutes_app.diarization.pipeline import DiarizationOptions, diarize
from minutes_app.drafting.naming import suggest_speaker_names
from minutes_app.pipeline.run import PipelineOptions
from minutes_app.pipeline.stage_diarize import use_profiles
from minutes_app.session import audit
from minutes_app.session.api import Session
from minutes_app.session.profiles import ProfileStore, load_matches
from minutes_app.session.project import Project

GREMIUM = "Bauausschuss"
PEOPLE = {"MEE009": "Anna Berg", "MEE012": "Max Schnell"}
IDS = {"MEE009": "SPEAKER_00", "MEE012": "SPEAKER_01"}


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(scope="module")
def dev(shared_fixtures):
    audio = shared_fixtures / "audio"
    rttm = read_rttm(audio / "pyannote_dev.rttm")
    clips = {}
    for name in ("dev00", "dev01"):
        samples = load_audio(audio / f"pyannote_{name}.wav")[: 30 * 16000]
        clips[name] = (samples, [t for t in rttm[name] if t.end <= 30.0])
    return clips


def _session(
    tmp_path: Path,
    samples: np.ndarray,
    turns: list[SpeakerTurn],
    ids: dict[str, str] | None = IDS,
    roster: list[str] | None = None,
) -> Session:
    """A processed session whose segments are ``turns`` (speakers renamed by ``ids``; None:
    as they are), no text needed."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    wav = tmp_path / "a.wav"
    wav.write_bytes(b"RIFF")
    project = Project.open_or_create(tmp_path / "p", wav)
    samples.astype(np.float32).tofile(project.pcm_path)
    segs = [
        Segment(i, t.start, t.end, "…", [], (ids or {}).get(t.speaker, t.speaker))
        for i, t in enumerate(turns)
    ]
    project.save_result("align", {}, {"segments": [s.__dict__ for s in segs]})
    project.info = SessionInfo(committee=GREMIUM)
    names = roster if roster is not None else [*PEOPLE.values(), "Eva Roth"]
    project.attendees = [Attendee(n) for n in names]
    project.save()
    return Session(project, user="Schriftführung")


def test_enrol_from_confirmed_names_then_name_and_split_a_second_session(tmp_path, dev, model_path):
    model = model_path("pyannote-campp")
    store = ProfileStore(tmp_path / "vp", user="Schriftführung")
    session = _session(tmp_path, *dev["dev00"])

    # no consent: the confirmed name is set, nothing biometric is stored
    change = session.rename_speaker("SPEAKER_00", "Anna Berg", store)
    assert [e.action for e in change.entries] == ["sprecher_umbenannt"]
    assert not store.path.exists()

    for person in PEOPLE.values():
        store.record_consent(GREMIUM, person, "Frau Roth (Schriftführung)", "schriftlich, 03.12.2026")
    change = session.enrol_voice("SPEAKER_00", store, model)  # the name confirmed before the consent
    assert [e.action for e in change.entries] == ["stimmprofil_aktualisiert"]
    assert "Stimmprofil von Anna Berg" in change.messages[0]
    change = session.rename_speaker("SPEAKER_01", "Max Schnell", store)  # confirming enrols at once
    assert [e.action for e in change.entries] == ["sprecher_umbenannt", "stimmprofil_aktualisiert"]
    profiles = {p.person: p for p in store.profiles(GREMIUM)}
    assert sorted(profiles) == sorted(PEOPLE.values())
    assert all(p.count >= 3 and len(p.vector) == 192 for p in profiles.values())
    assert _mode(store.path) == 0o600 and _mode(store.audit_path) == 0o600
    assert "stimmprofil_aktualisiert" in [e.action for e in audit.read(session.project)]

    # session 2, same people: one cluster holding both voices is split and both are named
    samples, ref = dev["dev01"]
    merged = Diarization([SpeakerTurn(t.start, t.end, "SPEAKER_00") for t in ref])
    windows = voice.embed_windows(samples, voice.windows_of(merged.turns), voice.Embedder(model))
    known = store.use(GREMIUM, "Sitzung 2", set(PEOPLE.values()))
    result = voice.match_profiles(merged, windows, known)
    assert result.split == ["SPEAKER_00"]
    assert len(result.matches) == 2
    by_speaker = {m.speaker: m.person for m in result.matches}
    right = total = 0.0
    for t_ref, t_hyp in zip(ref, result.diarization.turns, strict=True):
        total += t_ref.end - t_ref.start
        right += (t_ref.end - t_ref.start) * (by_speaker.get(t_hyp.speaker) == PEOPLE[t_ref.speaker])
    # measured 85.6 %: the turns shorter than 1 s (2.4 s of MEE012's 6.3 s) carry no window
    assert right / total >= 0.8
    assert all(m.similarity >= voice.THRESHOLD for m in result.matches)

    # the match is a suggestion marked with its similarity, never a set name
    segs = [Segment(i, t.start, t.end, "Ja.", [], t.speaker) for i, t in enumerate(result.diarization.turns)]
    people = [Attendee(n) for n in PEOPLE.values()]
    hints = suggest_speaker_names(segs, people, [m.to_dict() for m in result.matches])
    assert {h.speaker: h.name for h in hints} == by_speaker
    assert all(h.reasons[0].startswith("per Stimmprofil (Ähnlichkeit 0.") for h in hints)

    # the pipeline's use: matches saved as suggestions (no embeddings), audited in the session
    project2 = _session(tmp_path / "s2", samples, ref).project
    options = PipelineOptions(voice_profiles=True, voice_profiles_dir=str(tmp_path / "shared"))
    (tmp_path / "shared").mkdir()
    store.folder.rename(tmp_path / "shared" / "voice_profiles")  # the admin's shared folder
    split = use_profiles(project2, options, model, samples, merged, CancelToken())
    assert len(split.speakers) == 2
    saved = load_matches(project2.folder)
    assert sorted(m["person"] for m in saved) == sorted(PEOPLE.values())
    assert "vector" not in (project2.folder / "voice_matches.json").read_text(encoding="utf-8")
    assert "stimmprofil_verwendet" in [e.action for e in audit.read(project2)]
    store = ProfileStore(tmp_path / "shared" / "voice_profiles", user="Schriftführung")

    # withdrawing consent deletes the profile at once; every step is in the store's log
    assert store.withdraw_consent(GREMIUM, "Anna Berg")
    assert store.get(GREMIUM, "Anna Berg") is None
    actions = [line["action"] for line in store.audit_lines(GREMIUM, "Anna Berg")]
    assert actions == [
        "einwilligung_erfasst",
        "stimmprofil_aktualisiert",
        "stimmprofil_verwendet",
        "stimmprofil_verwendet",
        "stimmprofil_geloescht",
    ]


def test_profile_of_another_voice_stays_below_the_threshold(dev, model_path):
    """A wrong name is never suggested: MEE012's profile does not match MEE009's speech."""
    embedder = voice.Embedder(model_path("pyannote-campp"))
    samples, ref = dev["dev00"]
    own = [t for t in ref if t.speaker == "MEE012"]
    profile = voice.mean_vector(voice.speech_vectors(samples, [(t.start, t.end) for t in own], embedder))
    other, ref1 = dev["dev01"]
    turns = [SpeakerTurn(t.start, t.end, "SPEAKER_00") for t in ref1 if t.speaker == "MEE009"]
    windows = voice.embed_windows(other, voice.windows_of(turns), embedder)
    result = voice.match_profiles(Diarization(turns), windows, {"Max Schnell": profile})
    assert result.matches == []


def test_running_mean_weighs_every_window_once():
    a, b = np.array([1.0, 0.0]), np.array([0.0, 2.0])
    mean, count = voice.update_mean(None, 0, [a])
    mean, count = voice.update_mean(mean, count, [b, b])
    assert count == 3
    assert np.allclose(mean, [1 / 3, 2 / 3])


def test_cli_profiles_consent_list_show_export_delete(tmp_path, monkeypatch, capsys):
    from minutes_app.cli.main import main

    monkeypatch.setenv("MINUTES_APP_CONFIG", str(tmp_path / "config"))
    monkeypatch.setenv("MINUTES_APP_DATA", str(tmp_path / "data"))
    who = ["--gremium", GREMIUM, "--person", "Anna Berg"]
    consent = ["profiles", "consent", *who, "--erfasst-von", "Roth", "--grundlage", "schriftlich"]
    assert main(consent) == 2  # off until the admin enables it
    assert "ausgeschaltet" in capsys.readouterr().err
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.json").write_text('{"voice_profiles": true}', encoding="utf-8")
    assert main(["profiles", "consent", *who, "--erfasst-von", "Roth"]) == 2  # basis missing
    assert main(consent) == 0
    assert main(["profiles", "list"]) == 0
    assert "Anna Berg" in capsys.readouterr().out
    assert main(["profiles", "show", *who]) == 0
    shown = capsys.readouterr().out
    assert "schriftlich" in shown and "vector" not in shown
    store = tmp_path / "data" / "voice_profiles" / "profiles.json"
    assert main(["profiles", "export", *who, "--output", str(store)]) == 2  # never over the store
    out = tmp_path / "auskunft.json"
    assert main(["profiles", "export", *who, "--output", str(out)]) == 0
    copy = json.loads(out.read_text(encoding="utf-8"))
    assert copy["profil"]["consent"]["recorded_by"] == "Roth" and copy["protokoll"]
    assert main(["profiles", "delete", *who, "--grund", "Einwilligung widerrufen"]) == 0
    capsys.readouterr()
    assert main(["profiles", "show", *who]) == 2
    assert "kein Stimmprofil" in capsys.readouterr().err


def test_roster_bounds_the_speaker_count():
    from minutes_app.pipeline.stage_diarize import _diarization_setup

    key, options = _diarization_setup(PipelineOptions(attendees=["A", "B", "C"]))
    assert key["max"] == options.max_speakers == 3
    key, options = _diarization_setup(PipelineOptions(attendees=["A", "B", "C"], num_speakers=5))
    assert options.max_speakers is None and options.num_speakers == 5


def test_voice_suggestions_are_one_to_one_with_the_chair_found_from_the_text():
    roster = [Attendee("Dr. Frank Mentrup", role="Vorsitz"), Attendee("Anna Berg"), Attendee("Max Schnell")]
    texts = [
        ("S0", "Ich rufe Tagesordnungspunkt 3 auf: Radweg."),
        ("S1", "Wir stimmen zu."),
        ("S0", "Wer ist dafür? Gegenprobe? Enthaltungen? Einstimmig."),
        ("S2", "Danke."),
    ]
    segs = [Segment(i, 5.0 * i, 5.0 * i + 4, text, [], spk) for i, (spk, text) in enumerate(texts)]
    voices = [
        {"speaker": "S1", "person": "Anna Berg", "similarity": 0.81},
        {"speaker": "S2", "person": "Dr. Frank Mentrup", "similarity": 0.62},  # weaker than the chair clue
        {"speaker": "S2", "person": "Eva Fremd", "similarity": 0.9},  # not on the roster: ignored
    ]
    hints = {h.speaker: h for h in suggest_speaker_names(segs, roster, voices)}
    assert hints["S0"].name == "Dr. Frank Mentrup" and hints["S0"].reasons[0].startswith("Leitet die Sitzung")
    assert hints["S1"].name == "Anna Berg" and hints["S1"].reasons == ["per Stimmprofil (Ähnlichkeit 0.81)"]
    assert "S2" not in hints


def test_an_ambiguous_voice_gets_no_name():
    """Two profiles the speaker matches about equally well (synthetic voice variants): no name;
    a clear best profile keeps its name."""
    rng = np.random.default_rng(7)
    base = voice.normalise(rng.normal(size=192))
    other = voice.normalise(rng.normal(size=192))
    twin = voice.normalise(base + 0.1 * voice.normalise(rng.normal(size=192)))
    turns = [SpeakerTurn(0.0, 3.0, "SPEAKER_00")]
    windows = [voice.Window(0.0, 3.0, "SPEAKER_00", base)]
    clear = voice.match_profiles(Diarization(turns), windows, {"Anna Berg": base, "Max Schnell": other})
    assert [(m.speaker, m.person) for m in clear.matches] == [("SPEAKER_00", "Anna Berg")]
    profiles = {"Anna Berg": base, "Max Schnell": twin}
    assert voice.similarity(base, twin) > voice.THRESHOLD
    assert voice.match_profiles(Diarization(turns), windows, profiles).matches == []


# Four LibriSpeech readers (two women, two men) and Thorsten: five real people.
READERS = ["librispeech_1998", "librispeech_2033", "librispeech_3080", "librispeech_3005"]
MEMBERS = {
    "librispeech_1998": "Sonja Weber",
    "librispeech_2033": "Filippo Conti",
    "librispeech_3080": "Birgit Haas",
    "librispeech_3005": "Klaus Tischler",
    "thorsten": "Thorsten Müller",
}


def test_five_real_people_named_by_voice_in_their_next_session(tmp_path, shared_fixtures, model_path):
    """The whole path on real voices: session 1 diarized as the app does (the roster bounds the
    count), every speaker confirmed under the person who speaks most of its time (consent
    recorded), session 2 of the same five people diarized and compared with the profiles.
    Issue #17: >= 90 % of session 2's speaking time named right, no wrong name, count +-1
    (bench/profiles.py, nine voices: 92.9 %, 0 wrong)."""
    model = model_path("pyannote-campp")
    repo_data = Path(__file__).resolve().parent / "data"
    (a1, r1), (a2, r2) = real_voice_sessions(shared_fixtures, repo_data, READERS)
    options = DiarizationOptions(threads=2, max_speakers=len(MEMBERS))

    d1 = diarize(a1, model, options)
    session = _session(tmp_path / "s1", a1, d1.turns, None, list(MEMBERS.values()))
    store = ProfileStore(tmp_path / "vp", user="Schriftführung")
    for name in MEMBERS.values():
        store.record_consent(GREMIUM, name, "Frau Roth (Schriftführung)", "schriftlich, 03.12.2026")
    confirmed = metrics.majority(d1.turns, r1, len(a1) / 16000)
    for speaker, person in confirmed.items():
        session.rename_speaker(speaker, MEMBERS[person], store)
    assert {p.person for p in store.profiles(GREMIUM)} == set(MEMBERS.values())

    d2 = diarize(a2, model, options)
    project2 = _session(tmp_path / "s2", a2, d2.turns, None, list(MEMBERS.values())).project
    shared = tmp_path / "shared"
    shared.mkdir()
    store.folder.rename(shared / "voice_profiles")
    pipeline = PipelineOptions(voice_profiles=True, voice_profiles_dir=str(shared))
    named = use_profiles(project2, pipeline, model, a2, d2, CancelToken())
    names = {m["speaker"]: m["person"] for m in load_matches(project2.folder)}

    found = {t.speaker for t in named.turns}
    assert abs(len(found) - len(MEMBERS)) <= 1
    truth = {s: MEMBERS[p] for s, p in metrics.majority(named.turns, r2, len(a2) / 16000).items()}
    assert {s: p for s, p in names.items() if truth.get(s) != p} == {}  # no wrong name
    reference = [SpeakerTurn(t.start, t.end, MEMBERS[t.speaker]) for t in r2]
    assert metrics.named_share(named.turns, names, reference, len(a2) / 16000) >= 0.90
