"""`crepitus serve`: the options it gives uvicorn, and workers that each listen for themselves."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

import psutil
import pytest

from crepitus.api import serve as serve_module
from crepitus.api.serve import ServeError, WorkerSocket

linux_only = pytest.mark.skipif(not serve_module.WORKER_SOCKETS, reason="SO_REUSEPORT spreads")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_one_worker_runs_the_factory_through_uvicorn(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: calls.append((a, k)))
    serve_module.serve(host="127.0.0.1", port=8123, workers=1)
    assert capsys.readouterr().out.startswith("crepitus is running at http://127.0.0.1:8123")
    ((args, kwargs),) = calls
    assert args == ("crepitus.api.app:create_app",)
    assert kwargs["factory"] is True and kwargs["workers"] == 1 and kwargs["port"] == 8123
    assert kwargs["access_log"] is False and kwargs["timeout_keep_alive"] == 5


@linux_only
def test_several_workers_get_the_same_options_and_a_socket_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    class Supervisor:
        def __init__(self, config: Any, sockets: list[socket.socket]) -> None:
            seen.update(config=config, sockets=sockets)

        def run(self) -> None:
            seen["ran"] = True

    monkeypatch.setattr(serve_module, "Multiprocess", Supervisor)
    port = _free_port()
    serve_module.serve(host="127.0.0.1", port=port, workers=3)
    config, (sock,) = seen["config"], seen["sockets"]
    assert seen["ran"] and config.app == "crepitus.api.app:create_app" and config.factory
    assert config.workers == 3 and config.access_log is False and config.timeout_keep_alive == 5
    assert isinstance(sock, WorkerSocket) and sock.getsockname() == ("127.0.0.1", port)
    sock.close()


@linux_only
def test_a_worker_unpickles_a_fresh_socket_on_the_same_address() -> None:
    parent = WorkerSocket.bound("127.0.0.1", 0)
    child = ForkingPickler.loads(ForkingPickler.dumps(parent))
    try:
        assert isinstance(child, WorkerSocket) and child.fileno() != parent.fileno()
        assert child.getsockname() == parent.getsockname()
        assert child.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        # The parent only holds the address: it takes no connections.
        assert parent.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 0
    finally:
        child.close()
        parent.close()


@linux_only
def test_an_address_in_use_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"cannot listen on 127.0.0.1:{port}: "):
            serve_module.serve(host="127.0.0.1", port=port, workers=2)
        exe = Path(sys.executable).with_name("crepitus")
        env = {**os.environ, "CREPITUS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
        r = subprocess.run(
            [str(exe), "serve", "--port", str(port), "--workers", "2"],
            capture_output=True, text=True, timeout=120, env=env,
        )  # fmt: skip
    assert r.returncode == 1
    assert r.stderr.startswith(f"crepitus: error: cannot listen on 127.0.0.1:{port}: ")
    assert "Traceback" not in r.stderr and len(r.stderr.splitlines()) == 1


@linux_only
def test_a_burst_of_connections_is_spread_over_the_workers(tmp_path: Path) -> None:
    # With one shared socket, a burst of new connections all went to one worker most times.
    port = _free_port()
    env = {
        **os.environ,
        "CREPITUS_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "CREPITUS_RATE_LOOKUPS": "off",
    }
    exe = Path(sys.executable).with_name("crepitus")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    conns: list[socket.socket] = []
    try:
        workers = _wait_for_workers(proc, port, 2)
        conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(32)]
        for c in conns:
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        for c in conns:
            assert c.recv(1 << 16).startswith(b"HTTP/1.1 200")
        held = [
            sum(1 for k in w.net_connections("tcp") if k.laddr.port == port and k.raddr)
            for w in workers
        ]
        assert sum(held) == 32
        # A fair spread leaves either worker under 4 of 32 about once in 400,000 runs.
        assert min(held) >= 4, held
    finally:
        for c in conns:
            c.close()
        proc.terminate()
        proc.wait(timeout=60)


def _wait_for_workers(proc: subprocess.Popen[bytes], port: int, n: int) -> list[psutil.Process]:
    end = time.monotonic() + 120
    while time.monotonic() < end:
        assert proc.poll() is None, "the server stopped"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                ready = r.status == 200
        except OSError:
            ready = False
        workers = [
            p for p in psutil.Process(proc.pid).children(recursive=True)
            if any(k.status == psutil.CONN_LISTEN and k.laddr.port == port
                   for k in p.net_connections("tcp"))
        ]  # fmt: skip
        if ready and len(workers) == n:
            return workers
        time.sleep(0.2)
    raise AssertionError("the workers did not start listening")
