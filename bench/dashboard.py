"""Dashboard page time: the roster page's first screen with 10,000 roster entries.

Run: `python bench/dashboard.py [--entries N] [--requests N]`. Fills a temporary database with
N roster entries (names, units, roles and reach mixed), serves the dashboard on this machine
and times GET /dash/roster with signed launch data as the page's script sends it: the server's
own time per request (launch check, role read, counts, first 50 entries, template) and the time
seen by the client over loopback. Also: a search by name, a role and reach filter, the last
page, the first page's counts, and the CSV download of every entry. Target: p95 under 300 ms
for the roster's first screen.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from aiohttp import web

from bot.clock import FixedClock
from bot.config import Settings
from bot.dashboard.launch import download_token, launch_key, sign_launch_data
from bot.dashboard.server import LAUNCH_HEADER, DashboardServer
from storage.database import Database
from storage.timestamps import to_db

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
TOKEN = "424242:BenchToken"
ADMIN = 5000
TARGET_MS = 300.0
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


async def fill(db: Database, entries: int) -> None:
    """`entries` roster entries: 5% council, a few secretariat, a tenth blocked, a fifth unbound."""
    stamp = to_db(NOW)
    rows = []
    for index in range(entries):
        name = SURNAMES[index % 20] + GIVEN[(index // 20) % 20] + GIVEN[(index // 400) % 20]
        role = "council" if index % 20 == 0 else "member"
        telegram_id = None if index % 5 == 0 else 10_000_000 + index
        reachable = 0 if index % 10 == 3 else 1
        unit = f"Unit {index % 300:03d} 昆明"
        rows.append((name, unit, role, telegram_id, reachable, stamp, stamp))
    rows.append(("Admin", "Secretariat", "secretariat", ADMIN, 1, stamp, stamp))
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO persons (name, unit, role, telegram_id, reachable, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


@web.middleware
async def timed(request: web.Request, handler: web.Handler) -> web.StreamResponse:
    """Record the server's own time per request."""
    started = time.perf_counter()
    response = await handler(request)
    request.app["times"].append((time.perf_counter() - started) * 1000)
    return response


def figures(label: str, server: list[float], client: list[float], size: int, target: bool) -> None:
    server_sorted = sorted(server)
    p95 = server_sorted[max(0, int(len(server_sorted) * 0.95) - 1)]
    print(
        f"{label:<28} server p50 {statistics.median(server):7.1f} ms  p95 {p95:7.1f} ms"
        f"  client p50 {statistics.median(client):7.1f} ms  {size / 1024:6.1f} KiB"
        + (f"  p95 {p95 / TARGET_MS:.2f} of the {TARGET_MS:.0f} ms target" if target else "")
    )


async def main(entries: int, requests: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            token=TOKEN,
            db_path=Path(folder) / "bench.sqlite3",
            webapp_url="https://bot.example.org/dash",
            webapp_port=0,
        )
        db = await Database.open(settings.db_path)
        await fill(db, entries)
        key = launch_key(TOKEN)
        server = DashboardServer(settings, db, FixedClock(NOW), key)
        web_app = server.web_app()
        web_app["times"] = []
        web_app.middlewares.append(timed)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        user = {"id": ADMIN, "first_name": "Admin", "language_code": "zh"}
        headers = {LAUNCH_HEADER: sign_launch_data(key, user, NOW)}
        token = download_token(key, ADMIN, NOW)
        print(f"roster entries: {entries + 1}; {requests} requests per page after one warm-up")
        pages = [
            ("roster, first screen", "/dash/roster"),
            ("roster, search 王伟", "/dash/roster?q=%E7%8E%8B%E4%BC%9F"),
            ("roster, council + blocked", "/dash/roster?role=council&reach=blocked"),
            ("roster, last page", f"/dash/roster?offset={entries - 50}"),
            ("first page (counts)", "/dash"),
            ("CSV download, every entry", f"/dash/roster.csv?token={token}"),
        ]
        async with aiohttp.ClientSession() as session:
            for label, path in pages:
                client: list[float] = []
                size = 0
                web_app["times"].clear()
                for attempt in range(requests + 1):
                    started = time.perf_counter()
                    async with session.get(f"http://127.0.0.1:{port}{path}", headers=headers) as r:
                        body = await r.read()
                        assert r.status == 200, (r.status, body[:200])
                    if attempt:
                        client.append((time.perf_counter() - started) * 1000)
                    size = len(body)
                figures(label, web_app["times"][1:], client, size, path == "/dash/roster")
        await runner.cleanup()
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.entries, arguments.requests))
