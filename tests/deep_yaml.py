"""Inputs that crashed the worker (SIGSEGV in libyaml's recursive composer), and a way to
run code on them in a child process, so that a crash fails a test instead of killing pytest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CRASH_INPUTS = {
    "flow-sequences": "[" * 100_000,
    "block-sequences": "- " * 50_000,
    "open-flow-mappings": "{a: " * 30_000,
    "closed-flow-mappings": "{a: " * 30_000 + "1" + "}" * 30_000,
    "bank-field": "bank: b\nquestions: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "indented-mappings": "".join(" " * i + "a:\n" for i in range(400)),
}


def run_child(code: str, timeout: float = 120, **env: str) -> list:
    """Run ``code`` in a fresh interpreter at the project root; it prints one JSON value."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ | env,
    )
    assert result.returncode == 0, f"child died with {result.returncode}: {result.stderr[-2000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])
