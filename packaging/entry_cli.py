"""Frozen entry of ``minutes-app`` (the command line) in the PyInstaller build.

Besides the normal commands it runs the two child processes the program starts
with ``sys.executable``: multiprocessing's spawned workers (``freeze_support``)
and ``-m minutes_app.models.convert`` (LLM conversion on ``models import``).
"""

from __future__ import annotations

import multiprocessing
import runpy
import sys

# Modules the program itself runs as ``sys.executable -m MODULE``; nothing else.
CHILD_MODULES = {"minutes_app.models.convert"}


def main() -> int:
    multiprocessing.freeze_support()  # a spawned worker process runs its target and exits here
    if len(sys.argv) > 2 and sys.argv[1] == "-m" and sys.argv[2] in CHILD_MODULES:
        module = sys.argv[2]
        sys.argv = [sys.argv[0], *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0
    from minutes_app.cli.main import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
