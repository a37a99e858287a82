"""The one session API: project, audit trail, sign-off, privacy, editing, export of a session."""
