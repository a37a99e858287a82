"""Every German text of the GUI in one place (a later translation replaces this table).

Widgets call ``tr("key", name=...)``; placeholders use ``str.format`` syntax.
Messages of ``UserError`` come from the core and are shown as they are.
"""

from __future__ import annotations

TEXT: dict[str, str] = {
    # application and main window
    "app.title": "Sitzungsprotokoll – Entwurf",
    "menu.file": "&Datei",
    "menu.edit": "&Bearbeiten",
    "menu.view": "&Ansicht",
    "menu.help": "&Hilfe",
    "action.new": "&Neue Sitzung …",
    "action.open": "Sitzung ö&ffnen",
    "action.import": "Aufnahme &importieren …",
    "action.record": "&Aufnehmen …",
    "record.session_name": "Neue Aufnahme",
    "action.settings": "&Einstellungen …",
    "action.quit": "&Beenden",
    "action.undo": "&Rückgängig",
    "action.redo": "&Wiederholen",
    "action.overview": "&Übersicht",
    "action.shortcuts": "&Tastenkürzel",
    "action.about": "Ü&ber …",
    "about.text": (
        "Erstellt offline Entwürfe von Niederschriften aus Sitzungsaufnahmen.\n"
        "Alle Daten bleiben auf diesem Rechner. Der Entwurf ist durch die Schriftführung zu prüfen."
    ),
    "shortcuts.title": "Tastenkürzel",
    "shortcuts.action": "Aktion",
    "shortcuts.keys": "Tasten",
    "shortcuts.where": "{description} ({where})",
    "shortcuts.tab": "Tab / Umschalt+Tab: zum nächsten / vorigen Bedienelement",
    "shortcuts.enter": "Eingabe: ausgewählte Sitzung öffnen",
    "shortcuts.delete": "Entf: ausgewählte Sitzung löschen (mit Rückfrage)",
    "shortcuts.f2": "F2: ausgewählte Sitzung umbenennen",
    "shortcuts.esc": "Esc: Dialog schließen",
    "shortcuts.dragdrop": "Audiodateien auf das Fenster ziehen: je Datei eine neue Sitzung",
    # start view
    "start.heading": "Sitzungen",
    "start.hint": "Audiodateien hierher ziehen, um sie als neue Sitzungen zu verarbeiten.",
    "start.empty": "Noch keine Sitzungen. Mit „Neue Sitzung“ anlegen oder eine Aufnahme hierher ziehen.",
    "start.col.name": "Name",
    "start.col.committee": "Gremium",
    "start.col.date": "Datum",
    "start.col.state": "Zustand",
    "start.new": "&Neue Sitzung",
    "start.open": "Ö&ffnen",
    "start.rename": "&Umbenennen",
    "start.delete": "&Löschen",
    "start.process": "&Verarbeiten",
    "start.settings": "&Einstellungen",
    "start.edit": "&Kopfdaten bearbeiten",
    "start.rename.title": "Sitzung umbenennen",
    "start.rename.label": "Neuer Name:",
    "start.delete.title": "Sitzung löschen",
    "start.delete.question": (
        "Soll die Sitzung „{name}“ mit Transkript und Entwurf endgültig gelöscht werden?\n"
        "Die ursprüngliche Audiodatei bleibt erhalten. Das kann nicht rückgängig gemacht werden."
    ),
    "start.delete.failed": "Der Ordner „{folder}“ konnte nicht gelöscht werden ({error}).",
    "state.new": "neu",
    "state.recorded": "aufgenommen",
    "state.partial": "teilweise verarbeitet",
    "state.interrupted": "unterbrochen – kann fortgesetzt werden",
    "interrupted.one": (
        "Die Verarbeitung von {names} wurde unterbrochen, weil das Programm beendet wurde. "
        "Fertige Schritte bleiben erhalten und werden beim Fortsetzen übernommen."
    ),
    "interrupted.many": (
        "Die Verarbeitung dieser Sitzungen wurde unterbrochen, weil das Programm beendet wurde: "
        "{names}. Fertige Schritte bleiben erhalten und werden beim Fortsetzen übernommen."
    ),
    "interrupted.resume": "Verarbeitung &fortsetzen",
    "state.processed": "verarbeitet",
    "state.editing": "in Bearbeitung",
    "state.confirmed": "alle TOPs bestätigt",
    "state.reviewed": "geprüft (Schriftführung)",
    "state.released": "freigegeben",
    "state.broken": "beschädigt",
    # import of audio files
    "import.title": "Aufnahme importieren",
    "import.filter": "Audio und Video (*.wav *.flac *.mp3 *.m4a *.ogg *.opus *.mp4 *.webm *.wma *.aac);;"
    "Alle Dateien (*)",
    "import.bad": "Diese Dateien wurden nicht übernommen:\n\n{errors}",
    # session form
    "form.title.new": "Neue Sitzung",
    "form.title.edit": "Sitzung bearbeiten",
    "form.name": "Name der Sitzung",
    "form.committee": "Gremium",
    "form.number": "Sitzungsnummer",
    "form.date": "Datum",
    "form.location": "Ort",
    "form.start": "Beginn",
    "form.chair": "Vorsitz",
    "form.recorder": "Schriftführung",
    "form.protocol_type": "Protokollart",
    "protocol.verlauf": "Verlaufsprotokoll (Beratung in indirekter Rede)",
    "protocol.ergebnis": "Ergebnisprotokoll (nur Beschlüsse und Ergebnisse)",
    "protocol.wort": "Wortprotokoll (bereinigter Wortlaut)",
    "form.date.placeholder": "TT.MM.JJJJ",
    "form.time.placeholder": "HH:MM",
    "form.attendees": (
        "Anwesende (eine Person je Zeile: „Name;Fraktion;Rolle“, leere Spalten bleiben leer, "
        "z. B. „Thomas Krüger;;Verwaltung“)"
    ),
    "form.attendees.import": "Anwesenheitsliste &laden …",
    "form.attendees.filter": "Listen (*.csv *.txt *.json);;Alle Dateien (*)",
    "form.voice": "Stimmprofile (Einwilligung der Anwesenden)",
    "form.voice.off": (
        "Stimmprofile sind ausgeschaltet. Die IT kann sie mit der Einstellung „voice_profiles“ "
        "einschalten; erst dann kann hier die Einwilligung von Anwesenden erfasst werden."
    ),
    "form.voice.help": (
        "Stimmen sind biometrische Daten (Art. 9 DSGVO). Ein Stimmprofil wird nur mit der "
        "Einwilligung der Person angelegt und nur aus Rede angelernt, deren Namen Sie bestätigen. "
        "Ein Widerruf löscht das Profil sofort."
    ),
    "form.voice.no_committee": "Bitte zuerst das Gremium eintragen: Stimmprofile gelten je Gremium.",
    "form.voice.by": "Erfasst von",
    "form.voice.basis": "Grundlage",
    "form.voice.basis.placeholder": "z. B. schriftliche Einwilligung vom 03.12.2026",
    "form.voice.record": "Einwilligung &erfassen",
    "form.voice.withdraw": "Einwilligung &widerrufen",
    "form.voice.withdraw.title": "Einwilligung widerrufen",
    "form.voice.withdraw.ask": (
        "Die Einwilligung von {person} widerrufen? Das Stimmprofil wird sofort gelöscht."
    ),
    "form.voice.recorded": "Einwilligung von {person} erfasst.",
    "form.voice.withdrawn": "Einwilligung von {person} widerrufen, Stimmprofil gelöscht.",
    "form.voice.pick": "Bitte eine Person aus der Liste wählen.",
    "form.agenda": "Tagesordnung (ein Punkt je Zeile, z. B. „TOP 3: Haushaltssatzung 2025“)",
    "form.agenda.import": "Tagesordnung &laden …",
    "form.agenda.filter": "Einladungen (*.txt *.docx *.pdf *.json);;Alle Dateien (*)",
    "form.agenda.oparl": "Aus &OParl laden …",
    "form.agenda.oparl.prompt": "Adresse (URL) der Sitzung im Ratsinformationssystem (OParl):",
    "form.agenda.oparl.loading": "Tagesordnung wird aus OParl geladen …",
    "form.audio": "Aufnahme",
    "form.audio.none": "noch keine Aufnahme",
    "form.audio.more": "{count} weitere Dateien werden als eigene Sitzungen angelegt",
    "form.audio.import": "&Aufnahme importieren …",
    "form.save": "&Speichern",
    "form.save_process": "Speichern und &verarbeiten",
    "form.cancel": "Abbre&chen",
    "form.invalid.title": "Eingabe prüfen",
    "form.invalid.date": (
        "Das Datum „{value}“ ist ungültig. Bitte im Format TT.MM.JJJJ eingeben, z. B. 14.03.2025."
    ),
    "form.invalid.time": "Die Uhrzeit „{value}“ ist ungültig. Bitte im Format HH:MM eingeben, z. B. 18:00.",
    "form.invalid.agenda": (
        "Diese Zeilen der Tagesordnung sind keine Tagesordnungspunkte:\n{lines}\n\n"
        "Bitte je Zeile einen Punkt mit Nummer eingeben, z. B. „TOP 3: Haushaltssatzung 2025“."
    ),
    "form.file_error.title": "Datei nicht übernommen",
    "form.file_error.kept": "Die bisherigen Eingaben sind unverändert.",
    # processing view
    "process.heading": "Verarbeitung: {name}",
    "process.heading.idle": "Verarbeitung",
    "process.queue": "Warteschlange: {count} weitere Sitzung(en)",
    "process.waiting": "wartet",
    "process.done": "fertig",
    "process.running": "läuft",
    "process.eta": "Verstrichen {elapsed}, noch etwa {remaining}",
    "process.eta.unknown": "Verstrichen {elapsed}, Restzeit wird geschätzt …",
    "process.cancel": "&Abbrechen",
    "process.cancelling": "Wird abgebrochen …",
    "process.cancelled": "Abgebrochen. Fertige Schritte bleiben erhalten; „Erneut starten“ setzt dort fort.",
    "process.retry": "&Erneut starten",
    "process.back": "&Zur Übersicht",
    "process.finished": "Fertig verarbeitet.",
    "process.other_job": "eine andere Aufgabe",
    "process.session.queued": "in der Warteschlange",
    "process.session.running": "wird verarbeitet – {percent} %",
    "process.banner.queued": "Verarbeitung „{name}“ wartet auf freien Prozessor ({other} läuft)",
    "process.banner.running": "Verarbeitung „{name}“: {stage}",
    "process.banner.eta": "Verarbeitung „{name}“: {stage}, noch etwa {remaining}",
    "process.banner.done": "„{name}“ ist fertig verarbeitet.",
    "process.banner.cancelled": "Verarbeitung „{name}“ abgebrochen; fertige Schritte bleiben erhalten.",
    "process.banner.failed": "Verarbeitung „{name}“ fehlgeschlagen – Einzelheiten unter „Anzeigen“.",
    "process.done_elsewhere": "„{name}“ ist fertig verarbeitet – in der Übersicht öffnen.",
    "process.error": "Die Verarbeitung ist fehlgeschlagen:\n{message}",
    "process.error.hint": (
        "Fertige Schritte bleiben erhalten. Nach der Korrektur mit „Erneut starten“ fortsetzen; "
        "Modelle lassen sich unter Datei → Einstellungen installieren."
    ),
    # session view
    "session.tab.transcript": "&Transkript",
    "session.tab.draft": "&Entwurf",
    "session.export": "E&xportieren …",
    "session.back": "&Zur Übersicht",
    "session.editor_missing": "Der Editor ist in dieser Programmversion noch nicht enthalten.",
    "session.heading": "{name}",
    # export dialog
    "export.title": "Exportieren",
    "export.format": "Format",
    "export.format.docx": "Word-Dokument – Niederschrift (DOCX)",
    "export.format.txt": "Transkript als Text (TXT)",
    "export.format.srt": "Untertitel (SRT)",
    "export.format.vtt": "Untertitel (WebVTT)",
    "export.format.json": "Alles als JSON",
    "privacy.released_deleted": "Freigegeben: die Aufnahme wurde gelöscht (Aufbewahrungsregel).",
    "privacy.swept": "Aufbewahrungsfrist: Audio von {count} Sitzung(en) gelöscht.",
    "export.format.oparl": "Ergebnisse für das Ratsinformationssystem (OParl-JSON)",
    "export.part": "Teil",
    "export.part.beide": "Öffentlicher Teil; Teil B (nichtöffentlich) als eigene Datei",
    "export.part.oeffentlich": "nur öffentlicher Teil",
    "export.part.nichtoeffentlich": "nur Teil B (nichtöffentlich, vertraulich)",
    "export.part.gesamt": "beide Teile in einem Dokument (nur intern)",
    "export.files": "Geschrieben wurden:\n\n{files}\n\nTeil B ist vertraulich und getrennt zu verteilen.",
    "export.kept": (
        "Am Speicherort lag schon eine Datei mit anderem Inhalt (z. B. in Word bearbeitet). "
        "Sie wurde nicht überschrieben, sondern aufbewahrt:\n\n{files}"
    ),
    "export.kept.line": "„{path}“ jetzt als „{copy}“",
    "export.template": "Word-Vorlage",
    "export.template.none": "(keine: Standardlayout)",
    "export.template.browse": "Vorlage &wählen …",
    "export.template.filter": "Word-Vorlagen (*.docx *.dotx)",
    "export.transcript": "Transkript als &Anhang beifügen",
    "export.output": "Zieldatei",
    "export.browse": "&Durchsuchen …",
    "export.open_after": "Datei danach ö&ffnen",
    "export.button": "E&xportieren",
    "export.no_output": "Bitte eine Zieldatei angeben.",
    "export.no_launcher": (
        "Die Datei wurde gespeichert:\n{path}\n\nAuf diesem Rechner ist kein Programm eingerichtet, "
        "das sie von hier aus öffnen kann. Bitte die Datei im Dateimanager öffnen."
    ),
    "export.failed.title": "Export fehlgeschlagen",
    # settings dialog
    "settings.title": "Einstellungen",
    "settings.general": "Allgemein",
    "settings.advanced": "Erweitert",
    "settings.advanced.note": (
        "Technische Einstellungen, meist von der IT festgelegt. Im Zweifel nicht ändern."
    ),
    "settings.models": "Modelle",
    "settings.locked": "Von der IT festgelegt",
    "settings.env": "Festgelegt durch die Umgebungsvariable {env}",
    "settings.browse": "…",
    "settings.invalid.title": "Einstellung ungültig",
    "settings.models.col.id": "Modell",
    "settings.models.col.kind": "Art",
    "settings.models.col.size": "Größe",
    "settings.models.col.state": "Zustand",
    "settings.models.state.ok": "installiert",
    "settings.models.state.bad": "beschädigt",
    "settings.models.state.missing": "nicht installiert",
    "settings.models.profile": "Modellpaket",
    "settings.models.profile.default": "Standard (für die Arbeit)",
    "settings.models.profile.test": "Test (klein, nur zum Ausprobieren)",
    "settings.models.install": "&Installieren",
    "settings.models.cancel": "Installation a&bbrechen",
    "settings.models.installed": "Installation abgeschlossen.",
    "settings.models.cancelled": "Installation abgebrochen.",
    "settings.models.store": "Modellspeicher: {path}",
    "kind.asr": "Spracherkennung",
    "kind.diarization": "Sprechererkennung",
    "kind.llm": "Sprachmodell",
    # jobs and errors
    "job.internal_error": (
        "Interner Fehler ({kind}: {detail}). Ihre Daten wurden nicht verändert. "
        "Bitte die Protokolldatei an die IT weitergeben."
    ),
    "error.title": "Fehler",
    "button.save": "&Speichern",
    "button.cancel": "Abbrechen",
    "button.close": "&Schließen",
    # time
    "time.seconds": "{s} s",
    "time.minutes": "{m} Min.",
    "time.hours": "{h} Std. {m} Min.",
    # sign-off bar and draft item facts (draft view)
    "signoff.status": "Status: {state} · Version {version}",
    "signoff.status.reviewed": "Status: geprüft ({who}, {when}) · Version {version}",
    "signoff.status.released": "Status: freigegeben ({who}, {when}) · Version {version}",
    "signoff.review": "Als geprüft markieren (Schriftführung)",
    "signoff.review.tip": "Erst möglich, wenn alle Tagesordnungspunkte von Hand geprüft und bestätigt sind",
    "signoff.release": "Freigeben (Vorsitz)",
    "signoff.release.tip": "Die geprüfte Niederschrift freigeben; danach ist sie gesperrt",
    "signoff.release.title": "Niederschrift freigeben",
    "signoff.release.question": (
        "Soll die Niederschrift (Version {version}) jetzt freigegeben werden?\n\n"
        "Danach ist sie gesperrt: Transkript und Entwurf lassen sich nicht mehr ändern, und die "
        "freigegebene Fassung wird unveränderlich im Sitzungsordner abgelegt. Für spätere Änderungen "
        "muss eine neue Version angelegt werden."
    ),
    "signoff.released.done": "Die Niederschrift (Version {version}) ist freigegeben und jetzt gesperrt.",
    "signoff.reviewed.done": "Die Niederschrift ist als geprüft markiert.",
    "signoff.new_version": "Neue Version anlegen …",
    "signoff.new_version.tip": (
        "Die freigegebene Fassung bleibt erhalten; die neue Version ist wieder ein Entwurf"
    ),
    "signoff.new_version.title": "Neue Version anlegen",
    "signoff.new_version.label": "Grund für die neue Version (z. B. Ratsbeschluss vom …):",
    "signoff.new_version.done": (
        "Version {version} angelegt: Die Niederschrift kann wieder bearbeitet werden."
    ),
    "signoff.export": "Änderungsprotokoll exportieren …",
    "signoff.export.tip": "Wer hat wann was geändert: als CSV (Excel) oder JSON speichern",
    "signoff.export.title": "Änderungsprotokoll exportieren",
    "signoff.export.filter": "CSV-Datei (*.csv);;JSON-Datei (*.json)",
    "signoff.export.default_name": "Änderungsprotokoll {name}.csv",
    "signoff.export.done": "Änderungsprotokoll exportiert ({count} Einträge): {path}",
    "signoff.refused.title": "Nicht möglich",
    "signoff.banner": "Freigegeben am {when} von {who} – gesperrt. Für Änderungen eine neue Version anlegen.",
    "draft.paper": "Vorlage {paper}",
    "draft.paper.tip": "Vorlage / Drucksache dieses Tagesordnungspunkts",
    "draft.public_b": "nichtöffentlich (Teil B)",
    "draft.public_b.tip": "Nichtöffentlicher Teil: erscheint nie in einer öffentlichen Fassung",
    "draft.times": "Zeit:",
    "draft.times.value": "{start}–{end}",
    "draft.times.unknown": "unbekannt",
    "draft.times.manual": "Beginn von Hand gesetzt: {time}",
    "draft.set_start": "Beginn auf Wiedergabeposition setzen",
    "draft.set_start.tip": (
        "Den Beginn dieses TOP auf die aktuelle Stelle der Wiedergabe setzen; "
        "wirkt bei der nächsten Verarbeitung („Neu verarbeiten“)"
    ),
    "draft.set_start.done": (
        "Beginn von TOP {number} auf {time} gesetzt. Der Entwurf der betroffenen Tagesordnungspunkte "
        "wird bei der nächsten Verarbeitung („Neu verarbeiten“) neu erstellt."
    ),
    "draft.set_start.no_player": (
        "Keine Wiedergabeposition verfügbar: bitte die Aufnahme im Transkript an der gewünschten Stelle "
        "abspielen oder anklicken."
    ),
    "draft.set_start.no_number": (
        "Dieser Tagesordnungspunkt hat keine Nummer; sein Beginn kann nicht gesetzt werden."
    ),
    "draft.proposal": "Beschlussvorschlag:",
    "draft.proposal.take": "Beschlussvorschlag als Beschluss übernehmen",
    "draft.proposal.take.tip": (
        "Den Beschlussvorschlag der Einladung als Beschlusstext einsetzen (rückgängig möglich)"
    ),
    "draft.proposal.undo_text": "Beschlussvorschlag übernehmen",
    "draft.roll_call": "namentliche Abstimmung",
    "draft.procedure": "Verfahren:",
    "draft.procedure.none": "keine",
    "draft.procedure.tip": "Klicken: die Stelle in der Aufnahme abspielen",
    # data protection: deleting a session, retention, objections to the recording (session/privacy.py)
    "privacy.delete.action": "Sitzung &löschen …",
    "privacy.delete.question": (
        "Soll die Sitzung „{name}“ endgültig gelöscht werden?\n\n"
        "Gelöscht werden alle Daten im Sitzungsordner: Aufnahme, Transkript, Entwurf, "
        "Änderungsprotokoll und freigegebene Fassungen der Niederschrift. Eine importierte "
        "Audiodatei außerhalb des Sitzungsordners bleibt erhalten.\n"
        "Das kann nicht rückgängig gemacht werden."
    ),
    "privacy.state": "{state}, {deleted}",
    "privacy.objection": "Widerspricht der Aufzeichnung (aus Transkript, Entwurf und Export entfernen)",
    "privacy.objection.tip": (
        "Diese Person hat der Aufzeichnung widersprochen: ihre Beiträge werden aus Transkript, "
        "Entwurf und Export entfernt. Die Änderung wird im Änderungsprotokoll vermerkt."
    ),
    "privacy.objection.column": "Widerspruch",
    "privacy.objection.mark": "widerspricht",
    # live transcription while recording (gui/live_pane.py)
    "live.enable": "Live-Mitschrift während der Aufnahme",
    "live.enable.tip": (
        "Transkribiert die Aufnahme schon während der Sitzung (mit niedriger Priorität, die "
        "Aufnahme hat immer Vorrang). Nach dem Stopp ist das Transkript dann in kurzer Zeit fertig."
    ),
    "live.title": "Live-Mitschrift",
    "live.job": "Live-Mitschrift",
    "live.off": "Live-Mitschrift ist ausgeschaltet; das Transkript entsteht nach der Aufnahme.",
    "live.unavailable": (
        "Live-Mitschrift ist hier nicht verfügbar; das Transkript entsteht nach der Aufnahme."
    ),
    "live.queued": (
        "Live-Mitschrift wartet, bis die laufende Verarbeitung fertig ist, und holt dann auf. "
        "Die Aufnahme läuft davon unberührt."
    ),
    "live.starting": "Live-Mitschrift startet …",
    "live.progress": "Transkribiert bis {done} – {behind} hinter der Aufnahme",
    "live.paused": "Aufnahme pausiert – Live-Mitschrift transkribiert bis {done}",
    "live.finishing": "Aufnahme beendet – der Rest wird transkribiert …",
    "live.done": (
        "Live-Mitschrift fertig ({done}). Die Verarbeitung setzt hier fort und muss nicht neu transkribieren."
    ),
    "live.done.unattached": "Live-Mitschrift fertig ({done}).",
    "live.cancelled": "Live-Mitschrift abgebrochen; fertige Abschnitte bleiben erhalten.",
    "live.error": "Live-Mitschrift: {message} Die Aufnahme läuft davon unberührt weiter.",
    "live.speakers.waiting": "Sprechererkennung: je fertigem {minutes}-Minuten-Block",
    "live.speakers": "Sprechererkennung: {count} Block/Blöcke fertig (bis {until})",
    "live.speakers.off": "Sprechererkennung: nach der Aufnahme",
    "live.predraft": "Entwurf: {count} abgeschlossene(r) TOP(s) vorformuliert (bis {until})",
    # issue 14 B2-B5: recording into a session, retention after release, release checks, regeneration
    "form.end": "Ende",
    "record.into": "Aufnahme für: {name}",
    "record.into.tip": "Die Aufnahme wird dieser Sitzung zugeordnet (Kopfdaten, Tagesordnung, Anwesende).",
    "record.new_session": (
        "Die ausgewählte Sitzung „{name}“ hat schon eine Aufnahme. Die neue Aufnahme wird als "
        "eigene Sitzung „{new}“ angelegt."
    ),
    "live.on": "Live-Mitschrift ist eingeschaltet: der Text erscheint während der Aufnahme.",
    "live.unchecked": "Live-Mitschrift ist ausgeschaltet; das Transkript entsteht nach der Aufnahme.",
    "retention.due": "Audio wird am {date} gelöscht",
    "retention.due.release": "Audio wird {days} Tage nach der Freigabe gelöscht",
    "retention.gone": "Die Aufnahme wurde am {date} gelöscht ({reason}). Abspielen ist nicht mehr möglich.",
    "retention.gone.short": "Abspielen nicht möglich: die Aufnahme wurde gelöscht ({reason}).",
    "retention.missing": "Abspielen nicht möglich: die Aufnahme dieser Sitzung ist nicht (mehr) vorhanden.",
    "retention.release.now": "Die Aufnahme wird bei der Freigabe sofort gelöscht.",
    "retention.release.later": (
        "Die Aufnahme bleibt bis zum {date} ({days} Tage) für Rückfragen und Einwände erhalten "
        "und wird dann gelöscht."
    ),
    "retention.release.keep": "Die Aufnahme wird bei der Freigabe nicht gelöscht.",
    "retention.release.transcript": "Mit der Aufnahme wird auch das Transkript gelöscht.",
    "signoff.blocked": "Vor der Freigabe noch zu erledigen ({count}) – zum Springen anklicken:",
    "signoff.blocked.review": "Vor der Prüfung noch zu erledigen ({count}) – zum Springen anklicken:",
    "signoff.signer.review": "Name der Schriftführung (wird als „geprüft von“ eingetragen):",
    "signoff.signer.release": "Name des Vorsitzes (wird als „freigegeben von“ eingetragen):",
    "signoff.release.signer": "Freigabe durch: {name} (Vorsitz)",
    "signoff.signer.missing": "Ohne Namen kann die Niederschrift nicht unterzeichnet werden.",
    "draft.hint.done": "erledigt",
    "draft.hint.done.tip": "Hinweis als erledigt markieren (rückgängig möglich)",
    "draft.regen.busy": "TOP {number} wird neu erzeugt – die Felder sind bis dahin gesperrt.",
    "draft.regen.cancel": "Abbrechen",
    "draft.regen.kept": (
        "Während der Neuerzeugung von TOP {number} wurde nichts überschrieben: Ihre Eingaben "
        "bleiben; der neue Entwurf wurde verworfen."
    ),
}


def tr(key: str, **kwargs: object) -> str:
    """The German text for ``key``, with ``{placeholders}`` filled from ``kwargs``."""
    text = TEXT[key]
    return text.format(**kwargs) if kwargs else text


def fmt_duration(seconds: float) -> str:
    """Short German duration: "45 s", "12 Min.", "1 Std. 5 Min."."""
    seconds = max(int(round(seconds)), 0)
    if seconds < 60:
        return tr("time.seconds", s=seconds)
    minutes = round(seconds / 60)
    if minutes < 60:
        return tr("time.minutes", m=minutes)
    return tr("time.hours", h=minutes // 60, m=minutes % 60)
