"""Benchmark: the whole test suite, three times in a row, beside two busy processes (a loaded CI machine).

Run from the repository root: ``.venv/bin/python -m benchmarks.under_load [--busy 2] [-- PYTEST ARGS…]``. Two
processes spin on the CPU (pure Python loops) for the whole time; the suite runs as ``.ci/run`` runs it (three
pytest-xdist processes, a file's tests in one of them), in file order, then reversed
(``benchmarks/reverse_order.py``), then shuffled by pytest-randomly (its seed printed). Each run's passed, failed
and skipped tests and its seconds are printed, the failed tests named (each run's pytest output is kept in a
temp folder, printed); the load is stopped by pid at the end, and the exit status is 1 if any run failed (a failed
or erroring test, a non-zero pytest status, no test run). The baseline is the first run: the figure to read is that
all three pass.
"""

from __future__ import annotations

import argparse
import random
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ORDERS = {
    "file order": [],
    "reversed": ["-p", "benchmarks.reverse_order"],
    "shuffled": ["-p", "randomly"],  # the seed is added per run
}
AS_CI_RUNS_IT = ["-n", "3", "--dist", "loadfile"]  # .ci/run's pytest options


@dataclass
class Outcome:
    """What one run of the suite gave."""

    order: str
    passed: int
    failed: list[str]
    skipped: int
    seconds: float
    status: int  # pytest's exit status: 0 only when every test passed

    @property
    def ok(self) -> bool:
        """Whether the run passed: pytest said so and ran tests, none of which failed."""
        return self.status == 0 and self.passed > 0 and not self.failed


def start_load(count: int) -> list[subprocess.Popen[bytes]]:
    """Start ``count`` processes that spin on the CPU until killed."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def stop_load(busy: list[subprocess.Popen[bytes]]) -> None:
    """Kill the busy processes by pid and reap them."""
    for process in busy:
        process.kill()
    for process in busy:
        process.wait()


def run_suite(order: str, extra: list[str], report: Path) -> Outcome:
    """Run the whole suite once in ``order`` (its output beside ``report``); read its outcome from the JUnit XML."""
    args = [*ORDERS[order]]
    if order == "shuffled":
        args.append(f"--randomly-seed={random.SystemRandom().randrange(1 << 32)}")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", *AS_CI_RUNS_IT,
               *args, *extra]
    print(f"$ {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    with report.with_suffix(".log").open("wb") as log:
        status = subprocess.run(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT).returncode
    seconds = time.monotonic() - started
    failed, skipped, total = [], 0, 0
    if not report.is_file():  # pytest stopped before writing its report (a usage error, a crash)
        return Outcome(order, 0, [f"no report: pytest exited with status {status}"], 0, seconds, status)
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        total += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(f"{case.get('classname')}::{case.get('name')}")
        elif case.find("skipped") is not None:
            skipped += 1
    return Outcome(order, total - len(failed) - skipped, failed, skipped, seconds, status)


def main() -> int:
    """Run the suite three times under load; print each run; exit 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=2, help="busy processes beside the suite (default 2)")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments (after --), e.g. a test file")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a kill by pid still stops the load (finally below)
    busy = start_load(args.busy)
    print(f"load: {args.busy} busy processes (pids {', '.join(str(p.pid) for p in busy)})", flush=True)
    outcomes = []
    try:
        logs = Path(tempfile.mkdtemp(prefix="under-load-"))
        print(f"pytest output of each run: {logs}/run-N.log", flush=True)
        for number, order in enumerate(ORDERS, start=1):
            outcome = run_suite(order, args.pytest_args, logs / f"run-{number}.xml")
            outcomes.append(outcome)
            print(f"run {number} ({order}): {outcome.passed} passed, {len(outcome.failed)} failed, "
                  f"{outcome.skipped} skipped, {outcome.seconds:.0f} s, pytest status {outcome.status}", flush=True)
            for name in outcome.failed:
                print(f"  FAILED {name}", flush=True)
    finally:
        stop_load(busy)
    print("load stopped", flush=True)
    return 0 if len(outcomes) == len(ORDERS) and all(outcome.ok for outcome in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
