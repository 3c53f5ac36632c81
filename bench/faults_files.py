#!/usr/bin/env python3
"""Damaged and read-only database files given to the bot and each subcommand, from outside.

Printed per file and command: the exit status, how many lines it printed, whether a Python
traceback showed. Targets: exit 2, one line naming the file, no traceback.

Usage: python bench/faults_files.py
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fault_rig import ROOT

from storage.database import Database


def damaged_files(work: Path) -> None:
    print("damaged and read-only files: exit status, lines printed, traceback")
    good = work / "good.sqlite3"
    asyncio.run(_create(good))
    data = good.read_bytes()
    cases = {
        "random bytes": os.urandom(len(data)),
        "truncated": data[: len(data) // 2],
    }
    commands = [
        [],
        ["ask", "mission"],
        ["roster", "import", "x.csv"],
        ["export-rsvps", "1"],
        ["backup", str(work / "copy.sqlite3")],
        ["import-articles", "x.md"],
    ]
    for name, content in cases.items():
        target = work / f"{name.replace(' ', '-')}.sqlite3"
        target.write_bytes(content)
        _run_all(name, target, commands)
    readonly = work / "readonly.sqlite3"
    shutil.copy(good, readonly)
    made = (
        subprocess.run(["chattr", "+i", str(readonly)], capture_output=True).returncode == 0
        if os.geteuid() == 0
        else (readonly.chmod(0o444) or True)
    )
    if made:
        _run_all("read-only", readonly, commands[:-2] + commands[-1:])
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(readonly)], capture_output=True)


async def _create(path: Path) -> None:
    db = await Database.open(path)
    await db.close()


def _run_all(name: str, target: Path, commands: list[list[str]]) -> None:
    env = {**os.environ, "ASSOC_DB_PATH": str(target), "TELEGRAM_BOT_TOKEN": "1:x"}
    outcomes = []
    for command in commands:
        result = subprocess.run(
            [sys.executable, str(ROOT / "run_bot.py"), *command],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        lines = len((result.stderr + result.stdout).strip().splitlines())
        outcomes.append(
            (
                command[0] if command else "run",
                result.returncode,
                lines,
                "Traceback" in result.stderr,
            )
        )
        said = result.stderr.strip()
    summary = ", ".join(
        f"{c}: exit {code}, {n} line{'s' * (n != 1)}{', TRACEBACK' * tb}"
        for c, code, n, tb in outcomes
    )
    print(f"    {name}: {summary}")
    print(f"      said: {said!r}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        damaged_files(Path(folder))


if __name__ == "__main__":
    main()
