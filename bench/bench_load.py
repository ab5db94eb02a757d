"""Throughput of the public pages through gunicorn, as production serves them.

Deploys like the production stage (`scripts/test-production.sh`): an environment file with the
production settings, a fresh PostgreSQL database, `collectstatic` into the manifest storage,
`load_demo --with-users`, gunicorn with `maillage/gunicorn.py`. Then `wrk` (Debian's package)
opens 200 connections for 60 s on a weighted mix of anonymous public pages, in French and
English: search results (communes, postal codes, services, categories, open now, words, page
2), place pages, print pages and the territory home. Every connection is one visitor who
keeps no cookie, so each request is a first visit. A first run of `--warm-seconds` (30) from a
fresh start is recorded as the cold start (each worker fills its own page cache); the measured
run that follows is the steady state of a site that has been running.

Why wrk: the load generator competes with the server for the same cores; wrk is C with a
LuaJIT hook (`bench/load.lua`) and costs a few microseconds of CPU per request, where a
Python client would cost about as much as the server. Its own CPU is measured and printed.

Measured: requests/s, latency p50/p90/p95/p99 (wrk counts from when it sends a request to
the last byte; it does not correct coordinated omission, so under saturation the percentiles
are lower bounds), errors (connect/read/write failures, timeouts after 30 s, answers other
than 2xx/3xx), and server CPU per request: user + system time of gunicorn's master and
workers (including workers recycled during the run) and of the PostgreSQL backends of the
benchmark's database, read from /proc before and after.

Usage: .venv/bin/python bench/bench_load.py [--duration 60] [--connections 200]
       [--label NAME] [--workers N] [--warm-seconds 30]
Needs `wrk` (apt-get install wrk) and PostgreSQL (found by scripts/find-postgres.sh).
Results are merged into bench/results/load.json under the label. Never asserts timings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_pages import paths, static_files, warm_up  # noqa: E402
from bench.process_cpu import DatabaseCpu, children, server_cpu  # noqa: E402
from bench.record import Run, machine, quantity, versions  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")


def _run(args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _deploy(work: Path, database_url: str) -> dict[str, str]:
    """Write the operator's environment file and prepare the site; returns the environment."""
    for name in ("static", "media", "mail"):
        (work / name).mkdir(parents=True, exist_ok=True)
    (work / "maillage.env").write_text(
        "\n".join(
            [
                "DJANGO_SETTINGS_MODULE=maillage.settings.prod",
                f"MAILLAGE_SECRET_KEY={secrets.token_urlsafe(50)}",
                "MAILLAGE_ALLOWED_HOSTS=127.0.0.1,localhost",
                f"MAILLAGE_DATABASE_URL={database_url}",
                f"MAILLAGE_EMAIL_URL=file://{work / 'mail'}",
                "MAILLAGE_EMAIL_FROM=Maillage <maillage@bench.invalid>",
                f"MAILLAGE_STATIC_ROOT={work / 'static'}",
                f"MAILLAGE_MEDIA_ROOT={work / 'media'}",
                "MAILLAGE_ADDRESS_GEOCODER_URL=",
                "MAILLAGE_MAP_TILES_URL=/static/img/offline-tile.png",
                "",
            ]
        ),
        encoding="utf-8",
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "MAILLAGE_DATABASE_URL"}
    }
    env["MAILLAGE_ENV_FILE"] = str(work / "maillage.env")
    _run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    _run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    _run([PYTHON, "manage.py", "load_demo", "--with-users"], env, stdout=subprocess.DEVNULL)
    return env


def _wait_for(url: str, log: Path) -> None:
    for _ in range(240):
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    sys.exit(f"The server at {url} did not answer; its log:\n{log.read_text()[-3000:]}")


def _wrk(args, base: str, work: Path, seconds: int) -> tuple[dict, object]:
    """One wrk run; its summary and wrk's own resource usage."""
    wrk = subprocess.Popen(
        [
            *("wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s"),
            *("--timeout", "30s", "-s", str(ROOT / "bench" / "load.lua"), base),
            *("--", str(work / "paths.txt")),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    output = wrk.stdout.read()
    _pid, _status, usage = os.wait4(wrk.pid, 0)
    wrk.returncode = _status
    line = next((x for x in output.splitlines() if x.startswith("WRK-JSON ")), None)
    if line is None:
        sys.exit(f"wrk printed no summary:\n{output}")
    figures = json.loads(line.removeprefix("WRK-JSON "))
    figures["requests_per_s"] = round(figures["requests"] / (figures["duration_us"] / 1e6), 1)
    return figures, usage


def _git_commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return {
        "django": version("django"),
        "gunicorn": version("gunicorn"),
        "whitenoise": version("whitenoise"),
        "psycopg": version("psycopg"),
        "wrk": (wrk.stdout or wrk.stderr).split("\n")[0].strip(),
        "postgresql": subprocess.run(
            ["psql", "--version"], capture_output=True, text=True
        ).stdout.strip(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--connections", type=int, default=200, help="concurrent clients")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: its config)")
    parser.add_argument("--label", default="current", help="name of this run in load.json")
    parser.add_argument(
        "--warm-seconds",
        type=int,
        default=30,
        help="a first run, from a fresh start, before the measured one (0: none)",
    )
    args = parser.parse_args()
    record = Run("load", benchmark=__file__)
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    pg_url = subprocess.run(
        ["scripts/find-postgres.sh"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    pg_base = pg_url.rsplit("/", 1)[0]
    database = f"maillage_load_{os.getpid()}"
    _run(["psql", f"{pg_base}/postgres", "-qc", f"CREATE DATABASE {database}"], dict(os.environ))
    work = Path(tempfile.mkdtemp(prefix="maillage-load-"))
    server = None
    try:
        print(f"== Deploying into {work} (database {database})", flush=True)
        env = _deploy(work, f"{pg_base}/{database}")
        sequence, composition = paths(f"{pg_base}/{database}")
        (work / "paths.txt").write_text("\n".join(sequence) + "\n", encoding="utf-8")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        if args.workers:
            env["WEB_CONCURRENCY"] = str(args.workers)
        log = work / "server.log"
        with open(log, "ab") as out:
            server = subprocess.Popen(
                [
                    GUNICORN,
                    *("--config", "python:maillage.gunicorn", "--bind", f"127.0.0.1:{port}"),
                    "maillage.wsgi:application",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        _wait_for(f"{base}/healthz", log)
        workers = len(children(server.pid))
        print(f"== gunicorn on {base}, {workers} workers; warming up", flush=True)
        sizes = warm_up(base, sequence)
        static = static_files(base)
        cold_start = None
        if args.warm_seconds:
            # Workers fill their own page cache: a first run from a fresh start, recorded as
            # the cold start; the measured run then sees the steady state of a running site.
            print(f"== wrk from a fresh start, {args.warm_seconds} s (cold start)", flush=True)
            cold_start = _wrk(args, base, work, args.warm_seconds)[0]
        load_before = os.getloadavg()
        server_seconds = server_cpu(server.pid)
        database_cpu = DatabaseCpu(f"{pg_base}/postgres", database)
        database_cpu.start()
        time.sleep(0.6)
        started = time.monotonic()
        print(
            f"== wrk: {args.connections} connections, {args.duration} s, "
            f"load average {load_before[0]:.2f}",
            flush=True,
        )
        figures, usage = _wrk(args, base, work, args.duration)
        wall = time.monotonic() - started
        server_seconds = server_cpu(server.pid) - server_seconds
        database_cpu.stop.set()
        database_cpu.join()
        load_after = os.getloadavg()
        requests = figures["requests"]
        seconds = figures["duration_us"] / 1e6
        errors = sum(figures["errors"].values())
        result = {
            "label": args.label,
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "git_commit": _git_commit(),
            "machine": machine(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in load_after],
            "versions": _versions(),
            "parameters": {
                "duration_s": args.duration,
                "cold_start_run_s": args.warm_seconds,
                "connections": args.connections,
                "wrk_threads": args.threads,
                "gunicorn_workers": workers,
                "database": "postgresql",
                **composition,
            },
            "figures": {
                "requests": requests,
                "requests_per_s": round(requests / seconds, 1),
                "latency_ms": figures["latency_ms"],
                "errors": errors,
                "errors_detail": figures["errors"],
                "mean_page_kb": sizes,
                "received_mb": round(figures["bytes"] / 1024**2, 1),
                "server_cpu_ms_per_request": round(1000 * server_seconds / max(requests, 1), 2),
                "database_cpu_ms_per_request": round(
                    1000 * database_cpu.seconds() / max(requests, 1), 2
                ),
                "wrk_cpu_ms_per_request": round(
                    1000 * (usage.ru_utime + usage.ru_stime) / max(requests, 1), 3
                ),
                "wall_s": round(wall, 1),
            },
            "cold_start": cold_start,
            "static_files": static,
        }
        print(json.dumps(result, indent=2))
        # One results file keeps every run, each with its commit and load: the page shows how
        # each change moved the figures (bench/report.py), the last run gives the goal's status.
        out = ROOT / "bench" / "results" / "load.json"
        previous = (
            json.loads(out.read_text(encoding="utf-8"))["figures"]["runs"] if out.exists() else []
        )
        runs = [run for run in previous if run["label"] != args.label] + [result]
        record.write(
            parameters=result["parameters"],
            figures={
                "runs": runs,
                "requests_per_s": quantity(result["figures"]["requests_per_s"], "1/s"),
                "p95": quantity(result["figures"]["latency_ms"]["p95"], "ms"),
            },
            versions={
                **versions("gunicorn", "whitenoise", "psycopg"),
                "wrk": result["versions"]["wrk"].split()[1],
            },
            database={
                "vendor": "PostgreSQL",
                "version": re.search(r"\d+\.\d+", result["versions"]["postgresql"]).group(0),
            },
        )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        _run(
            ["psql", f"{pg_base}/postgres", "-qc", f"DROP DATABASE IF EXISTS {database}"],
            dict(os.environ),
        )
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
