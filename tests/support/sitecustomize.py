"""Loaded into a child Python through PYTHONPATH: blocks every network socket.

Any attempt to reach another host raises ``OSError`` and is logged to the file
named by ``NETBLOCK_LOG``, so a test can assert that none was made.
Unix-domain sockets (used by multiprocessing) stay allowed.
"""

import os
import socket

_LOG = os.environ.get("NETBLOCK_LOG")
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _note(what):
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(f"{what}\n")


def _blocked(self, address, *args):
    if self.family == socket.AF_UNIX:
        return _real_connect(self, address, *args)
    _note(f"connect {address!r}")
    raise OSError(101, "network blocked by test")


def _blocked_ex(self, address, *args):
    if self.family == socket.AF_UNIX:
        return _real_connect_ex(self, address, *args)
    _note(f"connect_ex {address!r}")
    return 101


def _no_dns(host, *args, **kwargs):
    _note(f"getaddrinfo {host!r}")
    raise socket.gaierror(-3, "name resolution blocked by test")


socket.socket.connect = _blocked
socket.socket.connect_ex = _blocked_ex
socket.getaddrinfo = _no_dns
