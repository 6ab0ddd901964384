"""Who holds a claim or a staged file, and whether that process is still alive.

Claims (reparse work items) and staged blobs are tagged with a worker id
``<host>:<pid>:<start time>``. A process on the same host can tell for certain that a worker is
gone (the pid is free or belongs to a newer process), so work left by ``kill -9`` is picked up at
once instead of waiting for a lease to expire; workers on other hosts fall back to the lease.
"""
from __future__ import annotations

import functools
import os
import socket

import psutil


@functools.cache
def _start_time(pid: int) -> str:
    return f"{psutil.Process(pid).create_time():.2f}"


def host() -> str:
    return socket.gethostname().replace(":", "_").replace("~", "_")


def worker_id() -> str:
    """This process, as it is named in claims and staged file names."""
    pid = os.getpid()
    return f"{host()}:{pid}:{_start_time(pid)}"


def is_dead(worker: str) -> bool:
    """True only when ``worker`` is a process of this host that no longer runs."""
    try:
        whost, pid_text, started = worker.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    if whost != host():
        return False
    try:
        proc = psutil.Process(pid)
        return f"{proc.create_time():.2f}" != started or proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:
        return False
