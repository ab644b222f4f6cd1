"""Start the explorer: a Solara server on this machine, its URL printed, a browser opened.

The page's front-end assets come from the ``solara-assets`` package, which installs them
where Solara's asset proxy looks first (``<prefix>/share/solara/cdn``), so the page loads
with no network; Solara's usage telemetry is switched off. Importing this module is light:
Solara and uvicorn load only when the server starts.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import sys
import threading
import time
import warnings
import webbrowser
from pathlib import Path

from escalation.errors import RunError

APP = "escalation.explore.app"
TITLE = "escalation explorer"
FILE_VARIABLE = "ESCALATION_EXPLORE_FILE"  # read by escalation.explore.app
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
NEEDED = ("solara", "solara_assets", "uvicorn")  # modules of the 'explore' extra the server imports
SHUTDOWN_SECONDS = 3  # how long open pages may keep the server after Ctrl-C


def missing() -> list[str]:
    """The modules of the ``explore`` extra that are not installed."""
    return [name for name in NEEDED if importlib.util.find_spec(name) is None]


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (port 0: a free one), or a one-line :class:`RunError`."""
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, OverflowError) as exc:
        raise RunError(f"--host {host!r} --port {port}: {exc}") from None
    sock = socket.socket(family, kind, protocol)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise RunError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port") from None
    return sock


def page_url(host: str, sock: socket.socket) -> str:
    """The address to open: a wildcard host (``0.0.0.0``, ``::``) is reached as ``localhost``."""
    port = sock.getsockname()[1]
    shown = "localhost" if host in ("0.0.0.0", "::", "") else host
    return f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/"


def _environment(file: str | None, host: str, port: int) -> dict[str, str]:
    """What the server and the page read from the environment: the app, the file, offline assets."""
    found = {
        "SOLARA_APP": APP,
        "SOLARA_ASSETS_PROXY": "True",  # serve the bundled assets, even where Solara would use a CDN
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_THEME_SHOW_BANNER": "False",
        "SOLARA_THEME_TITLE": TITLE,
        "SERVER_NAME": host,
        "SERVER_PORT": str(port),
    }
    if file is not None:
        found[FILE_VARIABLE] = str(Path(file).resolve())
    return found


def _announce(server: object, url: str, open_browser: bool) -> None:
    """Once ``server`` accepts connections, print ``url`` and open it in a browser if asked."""
    while not getattr(server, "started", False):
        if getattr(server, "should_exit", False):
            return
        time.sleep(0.05)
    print(f"escalation explorer at {url} (Ctrl-C to stop)", flush=True)
    if open_browser:
        webbrowser.open(url)


def serve(
    file: str | None = None, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, open_browser: bool = True
) -> int:
    """Serve the explorer until Ctrl-C; returns the exit status, 0.

    ``file``: a scenario offered first, besides the shipped ones (checked before the server
    starts). ``port`` 0 picks a free port. The URL is printed on standard output once the
    server accepts connections. Raises :class:`RunError` when the ``explore`` extra is missing or the
    address cannot be bound, :class:`~escalation.errors.ScenarioError` for a bad ``file``.
    """
    absent = missing()
    if absent:
        raise RunError(f"the explorer needs {', '.join(absent)} (not installed): pip install 'escalation[explore]'")
    if file is not None:
        from escalation.scenario.loader import load_scenario

        load_scenario(file)
    sock = listen(host, port)
    url = page_url(host, sock)
    os.environ.update(_environment(file, host, sock.getsockname()[1]))
    import uvicorn

    config = uvicorn.Config(
        "solara.server.starlette:app", log_level="warning", timeout_graceful_shutdown=SHUTDOWN_SECONDS
    )
    server = uvicorn.Server(config)
    # plain http on a host other than "localhost": Solara falls back to a lax session cookie,
    # which serves this app, and would say so on every page load
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)
    threading.Thread(target=_announce, args=(server, url, open_browser), daemon=True).start()
    # uvicorn stops on Ctrl-C, then raises it again: here, the normal end
    with contextlib.closing(sock), contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    print("escalation explorer stopped", file=sys.stderr)
    return 0
