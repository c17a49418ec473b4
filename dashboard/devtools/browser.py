"""The dashboard under `streamlit run` for a real browser: Debian's chromium and the flags it
needs on a closed network. The benchmark's redraw timing and the browser tests share it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from dashboard.data import store

CHROMIUM = os.environ.get("SP_CHROMIUM", "/usr/bin/chromium")
# Chromium flags for a closed network: no background calls that would be refused.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(
    db: Path,
    log: Path,
    port: int | None = None,
    env: dict[str, str] | None = None,
    options: tuple[str, ...] = (),
) -> tuple[subprocess.Popen, str]:
    """`streamlit run` on `port` (a free one by default) on `db`, once it answers its health
    check: (process, url). `env` and Streamlit `options` (`--secrets.files`, ...) are added.
    Its output goes to `log`; RuntimeError, with that output, if it does not start."""
    port = port or free_port()
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(store.ROOT / "dashboard" / "app.py"),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                *options,
            ],
            cwd=store.ROOT,
            env={**os.environ, store.DB_ENV: str(db), **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return process, url
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"streamlit did not start:\n{log.read_text()}")
        time.sleep(0.25)  # polling the health endpoint
