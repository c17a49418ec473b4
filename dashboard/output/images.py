"""Static chart images, made by Plotly's exporter (kaleido) driving the system's chromium."""

from __future__ import annotations

import atexit
import os
import shutil
import threading

import kaleido
import plotly.graph_objects as go

SLIDE_WIDTH, SLIDE_HEIGHT = 1600, 900
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
# kaleido's server is not thread-safe: one image at a time, one server per process.
_lock = threading.Lock()
_server_started = False


MISSING_BROWSER = (
    "Chart images and the board pack need the chromium browser, which is not installed. On "
    "Debian or Ubuntu: `apt-get install -y chromium` (or set BROWSER_PATH to a Chrome or "
    "Chromium executable). Everything else in the dashboard works without it."
)


class BrowserMissing(RuntimeError):
    """No chromium to draw static images with."""


def browser_path() -> str | None:
    """Where kaleido will find a browser: $BROWSER_PATH, else chromium on the PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured if os.path.exists(configured) else None
    return next((found for name in _BROWSERS if (found := shutil.which(name))), None)


def require_browser() -> str:
    """The browser's path, or BrowserMissing saying what to install."""
    path = browser_path()
    if path is None:
        raise BrowserMissing(MISSING_BROWSER)
    return path


def _start_server() -> None:
    global _server_started
    os.environ.setdefault("BROWSER_PATH", require_browser())
    kaleido.start_sync_server(silence_warnings=True)
    atexit.register(kaleido.stop_sync_server, silence_warnings=True)
    _server_started = True


def png(figure: go.Figure, width: int | None = None, height: int | None = None) -> bytes:
    """The figure as a PNG. A figure that sets its own width and height (a slide's chart,
    dashboard.output.slide_charts) is drawn at that size, twice as sharp for a projector;
    otherwise at slide resolution (16:9, 1600 x 900)."""
    sized = width is None and figure.layout.width and figure.layout.height
    opts = {
        "format": "png",
        "width": figure.layout.width if sized else width or SLIDE_WIDTH,
        "height": figure.layout.height if sized else height or SLIDE_HEIGHT,
        "scale": 2 if sized else 1,
    }
    with _lock:
        if not _server_started:
            _start_server()
        return kaleido.calc_fig_sync(figure, opts=opts)
