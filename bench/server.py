"""The one definition of "start the app": ``streamlit run app.py`` on a free localhost port.

Used by the browser tests (``tests/browser/conftest.py``) and by ``python -m bench.browser``, with
the one Chromium they drive: Debian's ``/usr/bin/chromium`` with ``LAUNCH_ARGS`` (Playwright's own
browser download is never used).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def streamlit_server(env: dict[str, str], log_dir: Path, timeout: float = 60.0) -> Iterator[str]:
    """``streamlit run app.py`` on a free localhost port with ``env`` added; its URL once healthy
    (RuntimeError if it is not within ``timeout`` seconds). Stopped (by its pid) on exit; the
    server's output (stdout and stderr) is in ``log_dir/server.log``."""
    port = free_port()
    log = (log_dir / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode} (see {log.name})")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"streamlit did not start on {url} (see {log.name})")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
