"""What the benchmark sections share: servers under one gunicorn config, Isso's own
virtual environment, and Debian's wrk with its figures read back.

Every server binds 127.0.0.1; every wait and every load run is bounded in time.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "bench"
ISSO_VENV = WORK / "isso-venv"
BLOG = "http://blog.bench"
# One gunicorn config for every server measured: one gthread worker, 8 threads (the
# threads of the repository's gunicorn.conf.py), access log off.
WORKER_CLASS = "gthread"
THREADS = 8
SECONDS = 10

_next_port = int(os.environ.get("BENCH_FIRST_PORT", "0"))


def free_port() -> int:
    """The next port of BENCH_FIRST_PORT's range when set, else one the OS picks."""
    global _next_port
    if _next_port:
        _next_port += 1
        return _next_port - 1
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pinned(package: str) -> str:
    """The version pyproject.toml pins a package to: the one place versions live."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    groups = project["optional-dependencies"].values()
    for requirement in project["dependencies"] + [r for group in groups for r in group]:
        if requirement.split("==")[0].split("[")[0] == package:
            return requirement
    raise SystemExit(f"{package} is not pinned in pyproject.toml")


def isso_venv() -> Path:
    """Isso's own virtual environment (made on first run): Isso and gunicorn from PyPI."""
    gunicorn = ISSO_VENV / "bin" / "gunicorn"
    if not gunicorn.exists():
        print("Installing Isso into var/bench/isso-venv (first run only)...", flush=True)
        shutil.rmtree(ISSO_VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(ISSO_VENV)], check=True)
        pip = [str(ISSO_VENV / "bin" / "pip"), "install", "--quiet"]
        subprocess.run([*pip, pinned("isso"), pinned("gunicorn")], check=True, timeout=600)
    return ISSO_VENV / "bin"


class Gunicorn:
    """One app under the benchmark's gunicorn config, started and stopped around a section."""

    def __init__(self, name: str, bin_dir: Path, app: str, env: dict, workers: int = 1, **extra):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = WORK / f"{name}.log"
        threads = str(extra.get("threads", THREADS))
        self.command = [
            str(bin_dir / "gunicorn"),
            "--bind", f"127.0.0.1:{self.port}",
            "--worker-class", WORKER_CLASS,
            "--workers", str(workers),
            "--threads", threads,
            "--keep-alive", "5",
            "--timeout", "30",
            "--log-level", "warning",
            "--error-logfile", str(self.log),
            "--pythonpath", str(ROOT),
            app,
        ]  # fmt: skip
        self.env = {**clean_environment(), **env}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        # From var/bench: no gunicorn.conf.py there, so every server gets only the flags above.
        self.process = subprocess.Popen(
            self.command,
            cwd=WORK,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        return self

    def wait_for(self, path: str, within: float = 60) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited:\n{self.log.read_text()}")
            if status_of(self.url + path) == 200:
                return
            time.sleep(0.2)
        raise SystemExit(
            f"{self.name} did not answer {path} in {within} s:\n{self.log.read_text()}"
        )

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def clean_environment() -> dict:
    """This environment without any PORCH_/FLASK_/ISSO_ settings of the person running it."""
    own = ("PORCH_", "FLASK_", "ISSO_", "GUNICORN_", "WEB_CONCURRENCY")
    return {k: v for k, v in os.environ.items() if not k.startswith(own)}


def status_of(url: str, body: bytes | None = None, headers: dict | None = None) -> int:
    call = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with urllib.request.urlopen(call, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


@dataclass
class Load:
    """What wrk measured in one run."""

    requests: int
    seconds: float
    rate: float  # requests per second, as wrk counts them
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx answers and socket errors

    @property
    def accepted_rate(self) -> float:
        return max(self.requests - self.errors, 0) / self.seconds


def wrk(url: str, connections: int, *script: str, seconds: int = SECONDS) -> Load:
    """Load ``url`` for ``seconds`` with ``connections`` open connections (wrk, 2 threads);
    ``script``: a Lua script in bench/ and its arguments."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency"]
    if script:
        command += ["-s", str(ROOT / "bench" / script[0])]
    result = subprocess.run(
        [*command, url, "--", *script[1:]],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    return parse_wrk(result.stdout)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(output: str) -> Load:
    def latency(percent: str) -> float:
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        if found is None:
            raise SystemExit(f"wrk gave no {percent}% latency:\n{output}")
        return float(found.group(1)) * UNITS[found.group(2)]

    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return Load(
        requests=int(done.group(1)),
        seconds=float(done.group(2)) * UNITS[done.group(3)] / 1000,
        rate=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=latency("50"),
        p99_ms=latency("99"),
        errors=(int(non_2xx.group(1)) if non_2xx else 0)
        + (sum(map(int, sockets.groups())) if sockets else 0),
    )


def ratio(porch: float, other: float) -> str:
    return f"{porch / other:.2f}×" if other else "n/a"


def row(section: str, measure: str, porch: str, against: str, baseline: str, ratio: str) -> dict:
    return dict(
        section=section,
        measure=measure,
        porch=porch,
        against=against,
        baseline=baseline,
        ratio=ratio,
    )
