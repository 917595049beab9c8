"""A script run in a fresh interpreter, from the repository's root: what starting the app
builds, seen before anything in the test process has built it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def in_fresh_process(script: str) -> str:
    """What ``script`` prints; the test fails with its traceback if it fails."""
    done = subprocess.run(  # noqa: S603 - this interpreter and the test's own script
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout
