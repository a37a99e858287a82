"""Text that may reach a Word document: characters XML 1.0 cannot hold are removed.

A DOCX is XML; a control character (U+0000-U+001F except tab, line feed and carriage
return), a lone surrogate or U+FFFE/U+FFFF in a name, title or transcript makes
python-docx refuse the whole export. Importers (agenda, roster, OParl, the session form)
clean what they take in with ``clean_text`` / ``clean_line``; the DOCX writer cleans a copy
of everything once more (``clean_fields``) as the last safety net.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

T = TypeVar("T")

# Not allowed in XML 1.0, plus the C1 controls (allowed, but never meant in a name or a title).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile(r" *[\t\r\n\x0b\x0c\x85\u2028\u2029]+ *")


def is_clean(text: str) -> bool:
    return _UNSAFE.search(text) is None


def clean_text(text: str) -> str:
    """``text`` without the characters a DOCX cannot hold (line breaks and tabs stay)."""
    return _UNSAFE.sub("", text) if _UNSAFE.search(text) else text


def clean_line(text: str) -> str:
    """One-line field (name, title, header): breaks and tabs become one space, unsafe characters go."""
    return clean_text(_BREAKS.sub(" ", text)).strip()


def clean_fields(obj: Any, single_line: bool = False) -> bool:
    """Clean every string inside ``obj`` in place (dataclasses, lists, dicts); True if one changed.

    ``single_line`` also folds line breaks (for names and header fields)."""
    fix = clean_line if single_line else clean_text
    changed = False
    stack = [obj]
    while stack:
        item = stack.pop()
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            for f in dataclasses.fields(item):
                value = getattr(item, f.name)
                if isinstance(value, str):
                    new = fix(value) if single_line or not is_clean(value) else value
                    if new != value:
                        setattr(item, f.name, new)
                        changed = True
                elif value is not None and not isinstance(value, int | float | bool):
                    stack.append(value)
        elif isinstance(item, list):
            for index, value in enumerate(item):
                if isinstance(value, str):
                    new = fix(value)
                    if new != value:
                        item[index] = new
                        changed = True
                elif value is not None and not isinstance(value, int | float | bool):
                    stack.append(value)
        elif isinstance(item, dict):
            for key, value in list(item.items()):
                if isinstance(value, str):
                    new = fix(value)
                    if new != value:
                        item[key] = new
                        changed = True
                elif value is not None and not isinstance(value, int | float | bool):
                    stack.append(value)
    return changed


def has_unsafe(obj: Any) -> bool:
    """True when some string inside ``obj`` holds a character a DOCX cannot hold (nothing changes)."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not is_clean(item):
                return True
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return False


def cleaned(obj: T, single_line: bool = False) -> T:
    """``obj`` itself when every string inside is clean (and, with ``single_line``, one line),
    else a deep copy cleaned by ``clean_fields``."""
    import copy

    probe = copy.deepcopy(obj)
    return probe if clean_fields(probe, single_line) else obj


def position(seconds: float) -> str:
    """A position in the recording as hints name it: ``02:03``, from an hour on ``1:02:03``."""
    whole = int(max(0.0, seconds))
    h, rest = divmod(whole, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60:02d}:{rest % 60:02d}"
