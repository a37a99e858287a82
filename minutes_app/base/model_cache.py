"""Loaded models kept between jobs of a queue, and handed back when the queue is done.

By default nothing is kept: every stage loads its model and frees it at its end,
so a single job's peak memory is its largest model. ``retain()`` (a queue of
sessions: ``PipelineOptions.keep_models_loaded``) switches this process to
keeping what it loads in the ``ModelCache``s until ``release()``, which also
runs the registered release hooks (e.g. stopping the worker process that keeps
the diarization and LLM models, ``base.worker``). ``release()`` also runs at
interpreter exit, so native model teardown never happens during shutdown.
"""

from __future__ import annotations

import atexit
import gc
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.RLock()
_retain = False
_caches: list[ModelCache] = []
_hooks: list[Callable[[], None]] = []


class ModelCache:
    """Models by load key; kept only while this process retains models.

    ``loads`` counts real loads (tests and benchmarks check that a second job
    of a queue loads nothing). ``always``: keep loaded models whether or not the
    process retains models (until ``clear``/``release``).
    """

    def __init__(self, name: str, always: bool = False) -> None:
        self.name = name
        self.always = always
        self.loads = 0
        self._items: dict[Hashable, Any] = {}
        with _lock:
            _caches.append(self)

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        with _lock:
            if key in self._items:
                return self._items[key]
            keep = _retain or self.always
        model = load()
        with _lock:
            self.loads += 1
            if keep and (_retain or self.always):
                self._items.setdefault(key, model)
                return self._items[key]
        return model

    def __contains__(self, key: Hashable) -> bool:
        with _lock:
            return key in self._items

    def __len__(self) -> int:
        with _lock:
            return len(self._items)

    def clear(self) -> None:
        with _lock:
            self._items.clear()


def retain(on: bool = True) -> None:
    """Keep loaded models in this process (and the model worker) until ``release()``."""
    global _retain
    with _lock:
        _retain = on


def retaining() -> bool:
    with _lock:
        return _retain


def on_release(hook: Callable[[], None]) -> None:
    """Run ``hook`` at every ``release()`` (e.g. stop a process that keeps models)."""
    with _lock:
        if hook not in _hooks:
            _hooks.append(hook)


def warm() -> bool:
    """True if any model is kept now."""
    with _lock:
        return any(len(c._items) for c in _caches)


def loads_report(progress: Any = None, cancel: Any = None) -> dict[str, int]:
    """Model loads per cache in this process (also a worker target: how often the model
    host loaded each model)."""
    with _lock:
        return {c.name: c.loads for c in _caches}


def release() -> None:
    """Stop retaining and free every kept model (and whatever the hooks hold)."""
    global _retain
    with _lock:
        _retain = False
        caches, hooks = list(_caches), list(_hooks)
    for cache in caches:
        cache.clear()
    for hook in hooks:
        hook()
    gc.collect()


atexit.register(release)
