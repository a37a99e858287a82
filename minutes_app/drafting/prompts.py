"""Load the versioned German prompt templates from ``prompts/<set>/<name>.md``.

Format: a header between ``---`` lines (``name``, ``version``, ...), then the
sections ``## system`` and ``## user``. ``{placeholder}`` is substituted,
``{{`` / ``}}`` give literal braces; an unknown placeholder is an error.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..base.errors import UserError

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SECTION = re.compile(r"^##\s*(system|user)\s*$", re.MULTILINE | re.IGNORECASE)


def default_prompts_dir() -> Path:
    env = os.environ.get("MINUTES_APP_PROMPTS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "prompts" / "v1"


class PromptError(UserError):
    pass


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: str
    system: str
    user: str
    path: Path
    digest: str

    def render(self, **values: object) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": self._fill(self.system, values)},
            {"role": "user", "content": self._fill(self.user, values)},
        ]

    def _fill(self, text: str, values: dict[str, object]) -> str:
        def sub(m: re.Match[str]) -> str:
            token = m.group(0)
            if token == "{{":
                return "{"
            if token == "}}":
                return "}"
            key = m.group(1)
            if key not in values:
                raise PromptError(
                    f"Die Prompt-Datei „{self.path}“ enthält den unbekannten Platzhalter „{{{key}}}“."
                )
            return str(values[key])

        return _PLACEHOLDER.sub(sub, text).strip()


def load_prompt(
    name: str, prompts_dir: Path | None = None, protocol_type: str | None = None
) -> PromptTemplate:
    """``<set>/<protocol_type>/<name>.md`` when that exists (one prompt set per protocol type), else
    ``<set>/<name>.md`` (prompts shared by every type)."""
    folder = prompts_dir or default_prompts_dir()
    path = folder / f"{name}.md"
    if protocol_type and (folder / protocol_type / f"{name}.md").exists():
        path = folder / protocol_type / f"{name}.md"
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptError(
            f"Die Prompt-Datei „{path}“ fehlt oder ist nicht lesbar. Bitte die Installation prüfen."
        ) from exc
    header: dict[str, str] = {}
    body = raw
    m = re.match(r"^\ufeff?---\s*\n(.*?)\n---\s*\n", raw, re.DOTALL)
    if m:
        for line in m.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep:
                header[key.strip().lower()] = value.strip()
        body = raw[m.end() :]
    parts = _SECTION.split(body)
    sections = {parts[i].lower(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    if "user" not in sections or not header.get("version"):
        raise PromptError(
            f"Die Prompt-Datei „{path}“ ist ungültig: erwartet werden ein Kopf mit „version:“ "
            "und die Abschnitte „## system“ und „## user“."
        )
    return PromptTemplate(
        name=header.get("name", name),
        version=header["version"],
        system=sections.get("system", ""),
        user=sections["user"],
        path=path,
        digest=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
    )


def prompt_version(templates: list[PromptTemplate]) -> str:
    """``"v1/verlauf: item_draft 1.1, … (sha256 1a2b3c4d)"`` for ``Minutes.prompt_version``."""
    if not templates:
        return ""
    folder = "/".join(templates[0].path.parts[-3:-1])
    names = ", ".join(f"{t.name} {t.version}" for t in templates)
    digest = hashlib.sha256("".join(t.digest for t in templates).encode()).hexdigest()[:8]
    return f"{folder}: {names} (sha256 {digest})"
