#!/usr/bin/env python3
"""Generate the bundled example session (``resources/examples/beispielsitzung.*``).

A short, fictional German committee session spoken by espeak-ng voices:
"3. Sitzung des Ausschusses für Umwelt und Mobilität" of the (fictional) Stadt
Lindenau. Writes, into ``resources/examples/`` (or ``--out``):

- ``beispielsitzung.ogg``: Opus, mono, 16 kHz, 24 kbit/s
- ``beispielsitzung.json``: ground truth (session, speakers, turns, agenda, expected results)
- ``beispielsitzung.rttm``: reference speaker turns
- ``beispielsitzung_tagesordnung.txt`` and ``beispielsitzung_anwesende.csv``

Deterministic: the same espeak-ng/libopus versions give byte-identical files.
Needs ``espeak-ng`` on PATH (Debian: ``apt-get install espeak-ng``) and PyAV.
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from minutes_app.base.fileio import atomic_open, write_json, write_text  # noqa: E402

NAME = "beispielsitzung"
ESPEAK_RATE = 22050
OUT_RATE = 16000
BITRATE = 24000
SEED = 20250312
NOISE_LEVEL = 0.0015  # about -56 dBFS of room noise under everything

SESSION = {
    "title": "Niederschrift",
    "committee": "3. Sitzung des Ausschusses für Umwelt und Mobilität",
    "date": "12.03.2025",
    "location": "Stadt Lindenau, Rathaus, Sitzungssaal 2",
    "start_time": "17:00 Uhr",
    "end_time": "17:45 Uhr",
}


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    fraktion: str
    rolle: str
    variant: str
    pitch: int
    speed: int
    word_gap: int  # espeak-ng -g, units of 10 ms: clearer word boundaries for ASR
    gain: float


VOICES = {
    v.id: v
    for v in (
        Voice("lindner", "Peter Lindner", "SPD", "Vorsitz", "de+m3", 30, 145, 3, 0.85),
        Voice("krueger", "Thomas Krüger", "", "Verwaltung (Amt für Umwelt)", "de", 45, 150, 3, 0.75),
        Voice("brandt", "Markus Brandt", "CDU", "Mitglied", "de+m7", 52, 140, 2, 0.80),
        Voice("demir", "Dr. Aylin Demir", "GRÜNE", "Mitglied", "de+f5", 64, 150, 3, 0.70),
        Voice("hofmann", "Sabine Hofmann", "FDP", "Mitglied", "de+f2", 52, 150, 3, 0.78),
    )
}

# Members who are present but do not speak (10 voting members in all: 7 + 2 + 1).
SILENT_ATTENDEES = [
    ("Klaus Weber", "SPD", "Mitglied"),
    ("Monika Schulz", "SPD", "Mitglied"),
    ("Heike Vogel", "CDU", "Mitglied"),
    ("Stefan Richter", "CDU", "Mitglied"),
    ("Lukas Becker", "GRÜNE", "Mitglied"),
    ("Eva Schneider", "DIE LINKE", "Mitglied"),
    ("Julia Neumann", "", "Schriftführung"),
]

AGENDA = [
    ("1", "Eröffnung und Feststellung der Tagesordnung"),
    ("2", "Einrichtung einer Fahrradstraße in der Lindenallee (Vorlage 2025/014)"),
    ("3", "Baumpflanzprogramm 2025"),
    ("4", "Mitteilungen und Anfragen"),
]

MOTION = (
    "Antrag der Fraktion GRÜNE: Die Verwaltung prüft zusätzlich sichere Querungen für den "
    "Radverkehr an beiden Enden der Lindenallee und berichtet dem Ausschuss bis zum Herbst."
)

EXPECTED: dict[str, dict[str, Any]] = {
    "1": {
        "motions": [],
        "resolution": "Die Tagesordnung wird in der vorliegenden Form festgestellt.",
        "vote": {"outcome": "einstimmig angenommen", "yes": None, "no": None, "abstain": None},
    },
    "2": {
        "motions": [MOTION],
        "resolution": "Der Ausschuss beschließt die Einrichtung einer Fahrradstraße in der Lindenallee "
        "gemäß Vorlage mit der Ergänzung aus dem Antrag der Fraktion GRÜNE.",
        "vote": {"outcome": "mehrheitlich angenommen", "yes": 7, "no": 2, "abstain": 1},
    },
    "3": {
        "motions": [],
        "resolution": "Der Ausschuss beschließt das Baumpflanzprogramm 2025.",
        "vote": {"outcome": "mehrheitlich angenommen", "yes": None, "no": None, "abstain": None},
    },
    "4": {"motions": [], "resolution": "", "vote": None},
}

# (agenda number, speaker id, text). Text is what is spoken, numbers written as digits.
SCRIPT: list[tuple[str, str, str]] = [
    (
        "1",
        "lindner",
        "Guten Abend, meine Damen und Herren. Ich eröffne die 3. Sitzung des Ausschusses für "
        "Umwelt und Mobilität und begrüße Sie herzlich. Ich stelle fest, dass form- und fristgerecht "
        "eingeladen wurde und dass der Ausschuss beschlussfähig ist. Gibt es Wünsche zur Änderung der "
        "Tagesordnung? Das ist nicht der Fall. Wer der Tagesordnung so zustimmt, den bitte ich um das "
        "Handzeichen. Gegenstimmen? Enthaltungen? Das ist einstimmig. Vielen Dank.",
    ),
    (
        "2",
        "lindner",
        "Ich rufe Tagesordnungspunkt 2 auf: Einrichtung einer Fahrradstraße in der "
        "Lindenallee. Die Vorlage liegt Ihnen vor. Herr Krüger von der Verwaltung, bitte.",
    ),
    (
        "2",
        "krueger",
        "Vielen Dank, Herr Vorsitzender. Die Lindenallee ist eine der wichtigsten "
        "Radverbindungen zwischen Bahnhof und Innenstadt. An einem normalen Werktag fahren dort mehr als "
        "2000 Radfahrende. Die Verwaltung schlägt vor, die Lindenallee zur Fahrradstraße zu machen. Autos "
        "dürfen weiter hineinfahren, aber höchstens mit 30 Kilometern pro Stunde. Die Kosten für "
        "Markierung und Beschilderung liegen bei etwa 85.000 Euro.",
    ),
    (
        "2",
        "brandt",
        "Wir unterstützen den Radverkehr grundsätzlich. Aber die Anwohner brauchen weiterhin "
        "Parkplätze. Solange nicht geklärt ist, wie viele Stellplätze wegfallen, sehen wir die "
        "Fahrradstraße kritisch.",
    ),
    (
        "2",
        "demir",
        "Wir begrüßen die Vorlage ausdrücklich. Wir stellen aber einen Antrag: Die Verwaltung "
        "soll zusätzlich prüfen, ob an beiden Enden der Lindenallee sichere Querungen für den Radverkehr "
        "eingerichtet werden können, und dem Ausschuss bis zum Herbst berichten.",
    ),
    ("2", "hofmann", "Wir tragen das mit, wenn der Lieferverkehr für die Geschäfte weiter möglich bleibt."),
    (
        "2",
        "krueger",
        "Das kann ich bestätigen. Der Lieferverkehr bleibt zugelassen, und es fallen nur 12 Stellplätze weg.",
    ),
    (
        "2",
        "lindner",
        "Vielen Dank. Weitere Wortmeldungen sehe ich nicht. Ich lasse über die Vorlage mit der "
        "Ergänzung aus dem Antrag der Grünen abstimmen. Wer ist dafür? Wer ist dagegen? Wer enthält "
        "sich? Bei 7 Ja-Stimmen, 2 Nein-Stimmen und einer Enthaltung ist der Antrag angenommen.",
    ),
    ("3", "lindner", "Wir kommen zu Punkt 3 der Tagesordnung: Baumpflanzprogramm 2025. Herr Krüger, bitte."),
    (
        "3",
        "krueger",
        "Die Verwaltung möchte in diesem Jahr 120 neue Stadtbäume pflanzen, vor allem in "
        "Straßen mit wenig Schatten. Dafür stehen im Haushalt 240.000 Euro bereit.",
    ),
    (
        "3",
        "brandt",
        "Neue Bäume finden wir gut. Wir fragen uns aber, wer die Pflege in den ersten drei Jahren bezahlt.",
    ),
    ("3", "krueger", "Die Pflege für drei Jahre ist in den Kosten bereits enthalten."),
    ("3", "hofmann", "Dann können wir zustimmen."),
    (
        "3",
        "lindner",
        "Dann stimmen wir ab. Wer stimmt dem Baumpflanzprogramm zu? Gegenstimmen? "
        "Enthaltungen? Das ist eine Mehrheit. Das Programm ist beschlossen.",
    ),
    ("4", "lindner", "Ich rufe Tagesordnungspunkt 4 auf: Mitteilungen und Anfragen."),
    ("4", "demir", "Ich habe eine kurze Anfrage. Wann wird die defekte Ampel an der Schulstraße repariert?"),
    ("4", "krueger", "Die Reparatur ist beauftragt und erfolgt in der nächsten Woche."),
    (
        "4",
        "lindner",
        "Vielen Dank. Weitere Mitteilungen gibt es nicht. Ich schließe die Sitzung und wünsche "
        "Ihnen einen guten Heimweg.",
    ),
]


def synthesize(voice: Voice, text: str, workdir: Path, index: int) -> np.ndarray:
    """Speak ``text`` with espeak-ng; return float32 samples at 22050 Hz, silence trimmed."""
    wav_path = workdir / f"turn_{index:02d}.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            voice.variant,
            "-p",
            str(voice.pitch),
            "-s",
            str(voice.speed),
            "-g",
            str(voice.word_gap),
            "-w",
            str(wav_path),
            text,
        ],
        check=True,
    )
    with wave.open(str(wav_path), "rb") as wav:
        if wav.getframerate() != ESPEAK_RATE or wav.getnchannels() != 1 or wav.getsampwidth() != 2:
            raise SystemExit(f"unexpected espeak-ng output format in {wav_path}")
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    samples = pcm.astype(np.float32) / 32768.0
    loud = np.flatnonzero(np.abs(samples) > 0.01)
    if loud.size == 0:
        raise SystemExit(f"espeak-ng produced silence for turn {index}")
    samples = samples[loud[0] : loud[-1] + 1]
    peak = float(np.max(np.abs(samples)))
    return samples * (voice.gain / peak)


def build_mix(workdir: Path) -> tuple[np.ndarray, list[dict[str, object]]]:
    rng = random.Random(SEED)
    pieces: list[np.ndarray] = []
    turns: list[dict[str, object]] = []
    cursor = 0
    for index, (number, speaker, text) in enumerate(SCRIPT):
        if index > 0:
            gap = int(round(rng.uniform(0.3, 0.8) * ESPEAK_RATE))
            pieces.append(np.zeros(gap, dtype=np.float32))
            cursor += gap
        audio = synthesize(VOICES[speaker], text, workdir, index)
        turns.append(
            {
                "start": round(cursor / ESPEAK_RATE, 3),
                "end": round((cursor + audio.size) / ESPEAK_RATE, 3),
                "speaker": speaker,
                "speaker_name": VOICES[speaker].name,
                "agenda_number": number,
                "text": text,
            }
        )
        pieces.append(audio)
        cursor += audio.size
    # A short tail of room tone after the last word.
    pieces.append(np.zeros(int(0.5 * ESPEAK_RATE), dtype=np.float32))
    mix = np.concatenate(pieces)
    noise = np.random.default_rng(SEED).normal(0.0, NOISE_LEVEL, mix.size).astype(np.float32)
    return np.clip(mix + noise, -1.0, 1.0), turns


def encode_opus(mix: np.ndarray) -> bytes:
    """Resample to 16 kHz and encode as Ogg/Opus, bit-exact (fixed stream serial, no version tags)."""
    import av

    pcm = (mix * 32767.0).round().astype("<i2").reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
    frame.sample_rate = ESPEAK_RATE
    resampler = av.AudioResampler(format="s16", layout="mono", rate=OUT_RATE)
    fifo = av.AudioFifo()
    for out in [*resampler.resample(frame), *resampler.resample(None)]:
        fifo.write(out)

    buf = io.BytesIO()
    with av.open(buf, "w", format="ogg", options={"fflags": "+bitexact"}) as container:
        stream = container.add_stream("libopus", rate=OUT_RATE, options={"flags": "+bitexact"})
        stream.bit_rate = BITRATE
        stream.layout = "mono"
        stream.format = "s16"
        frame_size = stream.codec_context.frame_size or 320
        pts = 0
        while fifo.samples:
            chunk = fifo.read(min(frame_size, fifo.samples))
            if chunk is None:
                break
            if chunk.samples < frame_size:  # pad the last frame with silence
                tail = np.zeros((1, frame_size), dtype="<i2")
                tail[:, : chunk.samples] = chunk.to_ndarray()
                chunk = av.AudioFrame.from_ndarray(tail, format="s16", layout="mono")
                chunk.sample_rate = OUT_RATE
            chunk.pts = pts
            pts += chunk.samples
            for packet in stream.encode(chunk):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buf.getvalue()


def rttm(turns: list[dict[str, object]]) -> str:
    lines = [
        f"SPEAKER {NAME} 1 {t['start']:.3f} {float(t['end']) - float(t['start']):.3f} "  # type: ignore[arg-type]
        f"<NA> <NA> {t['speaker']} <NA> <NA>"
        for t in turns
    ]
    return "\n".join(lines) + "\n"


def attendees_csv() -> str:
    rows = ["Name;Fraktion;Rolle"]
    rows += [f"{v.name};{v.fraktion};{v.rolle}" for v in VOICES.values()]
    rows += [f"{name};{fraktion};{rolle}" for name, fraktion, rolle in SILENT_ATTENDEES]
    return "\n".join(rows) + "\n"


def agenda_txt() -> str:
    return "\n".join(f"TOP {number}: {title}" for number, title in AGENDA) + "\n"


def ground_truth(turns: list[dict[str, object]], duration: float) -> dict[str, object]:
    items = []
    for number, title in AGENDA:
        own = [t for t in turns if t["agenda_number"] == number]
        items.append(
            {
                "number": number,
                "title": title,
                "start": own[0]["start"],
                "end": own[-1]["end"],
                **EXPECTED[number],
            }
        )
    return {
        "name": NAME,
        "description": "Fiktive Ausschusssitzung, mit espeak-ng synthetisch gesprochen (Beispiel und Test).",
        "duration_s": round(duration, 3),
        "session": SESSION,
        "speakers": [
            {
                "id": v.id,
                "name": v.name,
                "fraktion": v.fraktion,
                "rolle": v.rolle,
                "espeak_voice": v.variant,
                "pitch": v.pitch,
                "speed": v.speed,
                "word_gap": v.word_gap,
            }
            for v in VOICES.values()
        ],
        "agenda_items": items,
        "turns": turns,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "resources" / "examples",
        help="output folder (default: resources/examples)",
    )
    args = parser.parse_args(argv)
    if shutil.which("espeak-ng") is None:
        print("espeak-ng fehlt (Debian/Ubuntu: apt-get install espeak-ng).", file=sys.stderr)
        return 1
    out: Path = args.out
    with tempfile.TemporaryDirectory(prefix="example_session_") as tmp:
        mix, turns = build_mix(Path(tmp))
    ogg = encode_opus(mix)
    duration = mix.size / ESPEAK_RATE
    with atomic_open(out / f"{NAME}.ogg", "wb") as fh:
        fh.write(ogg)
    write_json(out / f"{NAME}.json", ground_truth(turns, duration))
    write_text(out / f"{NAME}.rttm", rttm(turns))
    write_text(out / f"{NAME}_tagesordnung.txt", agenda_txt())
    write_text(out / f"{NAME}_anwesende.csv", attendees_csv())
    for path in out.glob(f"{NAME}*"):
        path.chmod(0o644)  # atomic_open creates files 0600 (mkstemp)
    print(f"{out / (NAME + '.ogg')}: {duration:.1f} s, {len(ogg) / 1024:.0f} KiB, {len(turns)} turns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
