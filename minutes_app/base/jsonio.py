"""The one JSON reader: a size bound, a depth bound and a type check for every file and reply.

Every JSON the program reads (project.json, stage files, settings, model manifests and
bundles, OParl files and servers, server replies) goes through ``loads`` or ``read_file``.
Problems raise ``BadJSON`` (a ``ValueError``) whose ``reason`` is a German phrase such as
"zu tief verschachtelt" or "„segments[3].start“ ist keine Zahl"; ``read_file`` turns it into
the caller's ``UserError`` class with "… ist beschädigt (Grund)".

A schema is a small literal: a type (``str``, ``int``, ``float`` = any number, ``bool``,
``dict``, ``list``, ``object`` = anything, ``None``), a dict ``{"key": schema, "key?": schema}``
(``?``: optional; other keys are allowed, newer files may hold more), a list ``[schema]`` (every
element), a tuple ``(schema, schema)`` (any of them) or ``MapOf(schema)`` (a dict with any keys).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UserError, os_reason
from .inputs import open_regular, special_kind

MAX_DEPTH = 64
MAX_BYTES = 256 * 1024 * 1024  # the largest stage file of a 10-hour session is far below


class BadJSON(ValueError):
    """Unusable JSON; ``reason`` is a German phrase for "… ist beschädigt (reason)"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class MapOf:
    """Schema of a dict with arbitrary string keys whose values all match ``value``."""

    value: Any


_NAMES = {
    str: "kein Text",
    int: "keine ganze Zahl",
    float: "keine Zahl",
    bool: "kein Wahrheitswert",
    dict: "kein Objekt",
    list: "keine Liste",
    type(None): "nicht leer",
}


def _matches_type(value: Any, kind: Any) -> bool:
    if kind is object:
        return True
    if kind is None or kind is type(None):
        return value is None
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, kind)


def _where(path: str) -> str:
    return f"„{path}“" if path else "der Inhalt"


def check(value: Any, schema: Any, path: str = "") -> None:
    """Raise ``BadJSON`` naming the first place where ``value`` does not match ``schema``."""
    if isinstance(schema, tuple):
        problems = []
        for option in schema:
            try:
                check(value, option, path)
                return
            except BadJSON as exc:
                problems.append(exc)
        raise problems[0] if problems else BadJSON(f"{_where(path)} ist ungültig")
    if isinstance(schema, MapOf):
        if not isinstance(value, dict):
            raise BadJSON(f"{_where(path)} ist kein Objekt")
        for key, item in value.items():
            check(item, schema.value, f"{path}.{key}" if path else str(key))
        return
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            raise BadJSON(f"{_where(path)} ist kein Objekt")
        for key, sub in schema.items():
            name, optional = (key[:-1], True) if key.endswith("?") else (key, False)
            where = f"{path}.{name}" if path else name
            if name not in value:
                if optional:
                    continue
                raise BadJSON(f"„{where}“ fehlt")
            check(value[name], sub, where)
        return
    if isinstance(schema, list):
        if not isinstance(value, list):
            raise BadJSON(f"{_where(path)} ist keine Liste")
        if schema:
            for index, item in enumerate(value):
                check(item, schema[0], f"{path}[{index}]")
        return
    if not _matches_type(value, schema):
        raise BadJSON(f"{_where(path)} ist {_NAMES.get(schema, 'vom falschen Typ')}")


def depth(value: Any) -> int:
    """Nesting depth of lists and dicts (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        stack.extend((child, level) for child in children if isinstance(child, dict | list))
    return deepest


def loads(
    data: bytes | str,
    schema: Any = object,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
) -> Any:
    """Parse ``data`` (UTF-8, a BOM is allowed) within the bounds and check it against ``schema``."""
    if len(data) > max_bytes:
        raise BadJSON(f"größer als {_size(max_bytes)}")
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BadJSON("kein Text in UTF-8") from exc
    elif data.startswith("\ufeff"):
        data = data[1:]
    try:
        value = json.loads(data)
    except RecursionError as exc:
        raise BadJSON(f"zu tief verschachtelt (mehr als {max_depth} Ebenen)") from exc
    except json.JSONDecodeError as exc:
        raise BadJSON(f"kein gültiges JSON: Zeile {exc.lineno}, Spalte {exc.colno}") from exc
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise BadJSON("kein gültiges JSON") from exc
    if depth(value) > max_depth:
        raise BadJSON(f"zu tief verschachtelt (mehr als {max_depth} Ebenen)")
    check(value, schema)
    return value


def _size(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n / 1000:g} kB"


def read_bytes(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file, at most ``max_bytes`` (``BadJSON`` if larger); OSError as is."""
    with os.fdopen(open_regular(path), "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise BadJSON(f"größer als {_size(max_bytes)}")
    return data


def read_file(
    path: str | os.PathLike[str],
    schema: Any = object,
    *,
    what: str = "Die Datei",
    error: type[UserError] = UserError,
    hint: str = "",
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
) -> Any:
    """The JSON in ``path``; ``error(f"{what} „{path}“ ist beschädigt (Grund). {hint}")`` if unusable.

    A missing file raises ``FileNotFoundError`` unchanged (callers decide what that means);
    any other OSError becomes ``error`` with the German reason."""
    path = Path(path)
    try:
        kind = special_kind(os.stat(path).st_mode)
        if kind:
            raise error(f"{what} „{path}“ ist {kind}, keine Datei. {hint}".rstrip())
        return loads(read_bytes(path, max_bytes), schema, max_bytes=max_bytes, max_depth=max_depth)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise error(f"{what} „{path}“ kann nicht gelesen werden ({os_reason(exc)}). {hint}".rstrip()) from exc
    except BadJSON as exc:
        raise error(f"{what} „{path}“ ist beschädigt ({exc.reason}). {hint}".rstrip()) from exc
