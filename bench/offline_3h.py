"""A 3-hour session imported after the meeting (no live mode): time per stage, peak memory.

#16 (5) asks, for the 3-hour session without live mode, for the time and where it goes.
The audio is the one ``live_3h.py`` builds (eleven copies of the Karlsruhe dev session
and the example session, each padded with silence to 900 s: 3 h, 26 agenda items), written
to one WAV file and run through ``run_pipeline`` as an import is: decode, ASR beside the
diarization worker, align, draft, all in one fresh child process, models loaded inside.

One shortcut: the copies repeat the same speech, so the chair calls „Tagesordnungspunkt 13“
in every copy. The child renumbers the transcript the ASR stage returns (each copy's calls
get the copy's own numbers, as in ``live_3h.py``) before aligning and drafting, so the draft
sees 26 distinct items as in a real session. Everything else is the product's code path.

    python bench/offline_3h.py [--llm-model ID] [--threads 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

from common import REPO, SHARED, run_child, table
from live_3h import COPY_S, EXAMPLES, KARLSRUHE_COPIES
from live_predraft import karlsruhe_inputs

sys.path.insert(0, str(REPO))

CODE = r"""
import dataclasses, json, resource, sys, time
from pathlib import Path
sys.path.insert(0, "bench")
from live_3h import renumber, renumber_words
from minutes_app.base.types import AgendaItem, Attendee, Transcript
from minutes_app.pipeline import run
from minutes_app.pipeline.run import PipelineOptions, run_pipeline
from minutes_app.session.project import Project
audio, folder, spec_file, llm = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
threads = int(sys.argv[5])
spec = json.loads(Path(spec_file).read_text(encoding="utf-8"))
project = Project.open_or_create(folder, audio)
project.agenda = [AgendaItem(**a) for a in spec["agenda"]]
project.attendees = [Attendee(**p) for p in spec["roster"]]
project.protocol_type = "verlauf"
project.save()
asr = run._asr

def asr_renumbered(*args, **kwargs):
    # each copy's calls with the copy's own TOP numbers (the copies repeat the same speech)
    transcript = asr(*args, **kwargs)
    out = []
    for s in transcript.segments:
        numbers = spec["numbers"][min(int(s.start // spec["copy_s"]), len(spec["numbers"]) - 1)]
        words = renumber_words(s.words, numbers)
        out.append(dataclasses.replace(s, text=renumber(s.text, numbers), words=words))
    return Transcript(transcript.language, transcript.duration, out)

run._asr = asr_renumbered
t = time.perf_counter()
result = run_pipeline(project, PipelineOptions(llm_model=llm, threads=threads))
total = time.perf_counter() - t
own = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
items = result.minutes.agenda_items
print(json.dumps({"timings": result.timings, "total": total,
                  "cpu_s": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime,
                  "rss_mb": own.ru_maxrss / 1024, "workers_rss_mb": kids.ru_maxrss / 1024,
                  "speakers": len(result.speakers), "items": len(items),
                  "items_with_beratung": sum(1 for i in items if i.discussion.strip())}))
"""


def build(folder: Path) -> tuple[Path, dict]:
    """The 3-hour WAV and the agenda, roster and per-copy TOP numbers for the child."""
    import wave

    import numpy as np

    from minutes_app.agenda.roster import load_roster
    from minutes_app.agenda.text import parse_agenda_text
    from minutes_app.audio.decode import decode_audio
    from minutes_app.diarization.blocks import SAMPLE_RATE

    ka_path = SHARED / "sessions" / "ka_elternbeitraege.flac"
    ka_agenda, ka_people = karlsruhe_inputs(ka_path)
    ex_agenda = parse_agenda_text(EXAMPLES / "beispielsitzung_tagesordnung.txt")
    ex_people = load_roster(EXAMPLES / "beispielsitzung_anwesende.csv")
    copy_n = int(COPY_S * SAMPLE_RATE)
    pieces = {}
    for name, path in (("karlsruhe", ka_path), ("beispiel", EXAMPLES / "beispielsitzung.ogg")):
        audio = decode_audio(path)[:copy_n]
        padded = np.zeros(copy_n, dtype=np.float32)
        lead = 0 if name == "karlsruhe" else copy_n - audio.size  # as live_3h: speech in the last block
        padded[lead : lead + audio.size] = audio
        pieces[name] = padded
    plan = ["karlsruhe"] * KARLSRUHE_COPIES + ["beispiel"]
    agenda, numbers, number = [], [], 0
    for name in plan:
        mapping = {}
        for a in ka_agenda if name == "karlsruhe" else ex_agenda:
            number += 1
            mapping[a.number] = str(number)
            agenda.append(dataclasses.asdict(dataclasses.replace(a, number=str(number))))
        numbers.append(mapping)
    people = ka_people + [p for p in ex_people if p.name not in {q.name for q in ka_people}]
    audio_path = folder / "sitzung_3h.wav"
    with wave.open(str(audio_path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        for name in plan:
            out.writeframes((np.clip(pieces[name], -1, 1) * 32767).astype("<i2").tobytes())
    spec = {
        "agenda": agenda,
        "roster": [dataclasses.asdict(p) for p in people],
        "numbers": numbers,
        "copy_s": COPY_S,
    }
    return audio_path, spec


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--llm-model", default="qwen2.5-coder-1.5b")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        audio, spec = build(folder)
        (folder / "spec.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
        r = run_child(
            CODE,
            str(audio),
            str(folder / "projekt"),
            str(folder / "spec.json"),
            args.llm_model,
            str(args.threads),
        )
    duration = (KARLSRUHE_COPIES + 1) * COPY_S
    rows = [{"stage": k, "seconds": v, "RTF": v / duration} for k, v in r["timings"].items()]
    rows.append({"stage": "total (incl. model loads)", "seconds": r["total"], "RTF": r["total"] / duration})
    print(
        f"3-hour import ({duration:.0f} s audio, {len(spec['agenda'])} agenda items), {args.llm_model}, "
        f"{args.threads} threads"
    )
    print(table(rows, ["stage", "seconds", "RTF"]))
    print(f"total {r['total'] / 60:.1f} min; CPU seconds (process and workers) {r['cpu_s']:.0f}")
    print(f"peak RSS: main process {r['rss_mb']:.0f} MB, largest worker {r['workers_rss_mb']:.0f} MB")
    print(
        f"speakers found: {r['speakers']}; items in the draft: {r['items']}, "
        f"with a Beratung: {r['items_with_beratung']}"
    )


if __name__ == "__main__":
    main()
