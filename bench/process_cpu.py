"""CPU time of the server's processes, read from /proc (Linux), for bench/bench_load.py."""

from __future__ import annotations

import os
import threading
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, *, with_children: bool = False) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # After the ")" the fields start at the 3rd: utime is the 14th, stime 15th, cutime 16th…
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def server_cpu(master: int) -> float:
    """gunicorn's master and workers; reaped (recycled) workers count in the master's cutime."""
    return cpu_seconds(master, with_children=True) + sum(
        cpu_seconds(child) for child in children(master)
    )


class DatabaseCpu(threading.Thread):
    """CPU of the PostgreSQL backends serving the benchmark's database. Backends come and go
    (Django closes a connection after CONN_MAX_AGE), so they are looked up twice a second and
    each one's last reading is kept; what a backend spends in its last half-second is missed."""

    def __init__(self, admin_url: str, database: str):
        super().__init__(daemon=True)
        self.admin_url, self.database = admin_url, database
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stop = threading.Event()

    def sample(self, connection) -> None:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database]
        ).fetchall()
        for (pid,) in rows:
            seconds = cpu_seconds(pid)
            self.first.setdefault(pid, seconds)
            self.last[pid] = seconds

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            self.sample(connection)
            while not self.stop.wait(0.5):
                self.sample(connection)

    def seconds(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)
