"""Load: a burst of anonymous websocket sessions from one address, and the health endpoint meanwhile.

    python bench/load.py                    # 200 sessions, limit at its default, then effectively off
    python bench/load.py --sessions 100 --cap 90

Each run starts ``streamlit run app.py`` on a temporary SQLite database, opens one session and
waits for its script run (the first run loads the registry, not timed), then opens ``--sessions``
websocket sessions to ``/_stcore/stream`` at once from 127.0.0.1, each asking for a script run
(a ``BackMsg`` with ``rerun_script``, as the browser sends after connecting). Meanwhile a thread
asks ``/_stcore/health`` every 0.25 s (each request in a thread of its own, whether or not
the last one was answered) and records how long each answer takes. The burst ends when every
session has been refused (HTTP 403) or has seen its script run finish, or at ``--burst-cap``;
then the health requests in flight are waited for, all sessions close and the server is killed.

The same burst runs twice in one invocation: with ``DUBAN_MAX_SESSIONS_PER_CLIENT`` unset (the
default limit) and with it huge (no limit in effect). A watchdog kills the servers and the
script after ``--cap`` seconds in all, whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Subprotocol

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ui.connections import DEFAULT_LIMIT, ENV  # noqa: E402

NO_LIMIT = "1000000"
HEALTH_TIMEOUT = 60.0
PROBE_INTERVAL = 0.25
_SERVERS: list[subprocess.Popen[bytes]] = []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the server and any child it started
        process.wait()


def _watchdog(seconds: float) -> threading.Timer:
    def expire() -> None:
        print(f"超过总时限 {seconds:.0f} 秒，结束。", file=sys.stderr, flush=True)
        for process in _SERVERS:
            _kill(process)
        os._exit(2)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    return timer


def start_server(
    database_url: str, log: Path, extra_env: dict[str, str], deadline: float
) -> tuple[str, subprocess.Popen[bytes]]:
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key != ENV}
    env.update({"DATABASE_URL": database_url, **extra_env})
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.headless", "true", "--server.fileWatcherType", "none",
                "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    _SERVERS.append(process)
    url = f"http://127.0.0.1:{port}"
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return url, process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            _kill(process)
            raise RuntimeError(f"Streamlit did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.3)


def rerun_request() -> bytes:
    """What the browser sends once its websocket is open: run the script (no widgets yet)."""
    message = BackMsg(rerun_script=ClientState(query_string="", widget_states=WidgetStates()))
    return bytes(message.SerializeToString())


@dataclass
class Burst:
    accepted: int = 0
    refused: int = 0
    finished: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    health: list[float] = field(default_factory=list)
    health_failed: int = 0
    cut_off: bool = False


async def _session(ws_url: str, burst: Burst, done_by: float, hold: asyncio.Event) -> None:
    try:
        opening = max(1.0, done_by - time.monotonic())
        protocols = [Subprotocol("streamlit")]
        async with connect(ws_url, subprotocols=protocols, open_timeout=opening, max_size=None) as websocket:
            burst.accepted += 1
            await websocket.send(rerun_request())
            while True:
                data = await asyncio.wait_for(websocket.recv(), timeout=max(0.1, done_by - time.monotonic()))
                message = ForwardMsg()
                message.ParseFromString(data if isinstance(data, bytes) else data.encode())
                if message.WhichOneof("type") == "script_finished":
                    burst.finished += 1
                    break
            await hold.wait()  # keep the session open until the whole burst is over
    except InvalidStatus as exc:
        if exc.response.status_code == 403:
            burst.refused += 1
        else:
            burst.failed += 1
            burst.errors.append(f"HTTP {exc.response.status_code}")
    except TimeoutError:
        burst.failed += 1
        burst.errors.append("超时")
    except Exception as exc:
        burst.failed += 1
        burst.errors.append(type(exc).__name__)


def _ask_health(url: str, burst: Burst, lock: threading.Lock) -> None:
    started = time.perf_counter()
    failed = False
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=HEALTH_TIMEOUT) as response:
            response.read()
    except OSError:
        failed = True
    with lock:
        burst.health.append(time.perf_counter() - started)
        burst.health_failed += failed


def _probe_health(url: str, stop: threading.Event, burst: Burst) -> None:
    """A health request every ``PROBE_INTERVAL`` seconds, each in a thread of its own (as a
    monitor or a proxy's health check would ask, whether or not the last one was answered);
    waits for the requests in flight once stopped."""
    lock = threading.Lock()
    asked: list[threading.Thread] = []
    while not stop.is_set():
        thread = threading.Thread(target=_ask_health, args=(url, burst, lock), daemon=True)
        thread.start()
        asked.append(thread)
        stop.wait(PROBE_INTERVAL)
    for thread in asked:
        thread.join(HEALTH_TIMEOUT)


async def burst_against(url: str, sessions: int, burst_cap: float) -> Burst:
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    burst = Burst()
    stop = threading.Event()
    hold = asyncio.Event()
    probe = threading.Thread(target=_probe_health, args=(url, stop, burst), daemon=True)
    probe.start()
    started = time.monotonic()
    done_by = started + burst_cap
    tasks = [asyncio.create_task(_session(ws_url, burst, done_by, hold)) for _ in range(sessions)]
    while burst.refused + burst.finished + burst.failed < sessions and time.monotonic() < done_by:
        await asyncio.sleep(0.05)
    burst.seconds = time.monotonic() - started
    burst.cut_off = burst.refused + burst.finished + burst.failed < sessions
    stop.set()
    # The health request in flight still counts: it is the one a stalled server holds up.
    await asyncio.to_thread(probe.join, max(0.1, done_by + 5 - time.monotonic()))
    hold.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return burst


async def _warm_up(url: str, deadline: float) -> None:
    """One session and its script run, so that the registry is loaded before the burst."""
    warm = Burst()
    hold = asyncio.Event()
    hold.set()
    await _session(url.replace("http://", "ws://") + "/_stcore/stream", warm, deadline, hold)
    if warm.finished != 1:
        raise RuntimeError(f"the warm-up session did not finish its script run: {warm.errors}")


def run_once(label: str, extra_env: dict[str, str], sessions: int, burst_cap: float, folder: Path) -> Burst:
    database = folder / f"{label}.db"
    log = folder / f"{label}.log"
    url, process = start_server(f"sqlite:///{database}", log, extra_env, time.monotonic() + 60)
    try:
        asyncio.run(_warm_up(url, time.monotonic() + 60))
        return asyncio.run(burst_against(url, sessions, burst_cap))
    finally:
        _kill(process)


def _row(label: str, limit: str, burst: Burst) -> str:
    health = burst.health or [0.0]
    p50 = statistics.median(health)
    worst = max(health)
    over = "≥" if burst.cut_off else ""
    return (
        f"| {label} | {limit} | {burst.accepted} | {burst.refused} | {burst.finished} | {burst.failed} "
        f"| {over}{burst.seconds:.1f} | {len(burst.health)} | {p50:.2f} | {worst:.2f} | {burst.health_failed} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="会话突发负载：同一地址同时打开的会话与健康检查的响应时间")
    parser.add_argument("--sessions", type=int, default=200, help="同时打开的会话数（默认 200）")
    parser.add_argument("--burst-cap", type=float, default=40.0, help="每次突发最多等待的秒数（默认 40）")
    parser.add_argument("--cap", type=float, default=150.0, help="全部运行的总时限，秒（默认 150）")
    args = parser.parse_args()
    timer = _watchdog(args.cap)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} 核；{args.sessions} 个会话；开始时平均负载 {load}", file=sys.stderr, flush=True)
    runs = [("默认上限", str(DEFAULT_LIMIT), {}), ("不设上限", NO_LIMIT, {ENV: NO_LIMIT})]
    results: list[tuple[str, str, Burst]] = []
    with tempfile.TemporaryDirectory() as folder:
        for label, limit, extra_env in runs:
            print(f"… {label}", file=sys.stderr, flush=True)
            burst = run_once(label, extra_env, args.sessions, args.burst_cap, Path(folder))
            if burst.errors:
                print(f"  失败：{sorted(set(burst.errors))}", file=sys.stderr, flush=True)
            results.append((label, limit, burst))
    timer.cancel()
    print(
        "| 运行 | 每地址上限 | 接受 | 拒绝 (403) | 脚本运行完成 | 失败 | 突发用时 (s) | 健康检查次数 "
        "| 健康检查 p50 (s) | 健康检查最长 (s) | 健康检查失败 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, limit, burst in results:
        print(_row(label, limit, burst))
    (_, _, limited), (_, _, unlimited) = results
    worst = max(unlimited.health or [0.0]) / max(max(limited.health or [0.0]), 1e-6)
    p50 = statistics.median(unlimited.health or [0.0]) / max(statistics.median(limited.health or [0.0]), 1e-6)
    print(f"\n不设上限 ÷ 默认上限：健康检查最长 {worst:.1f} 倍，p50 {p50:.1f} 倍。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
