"""Benchmark the knowledge search per charter and language, and the bot's memory with it.

For each charter (the shipped Kunming sample with its mission page; the Lanjiang charter,
articles only) on a fresh database: the import time of both languages (embedding included;
wall and CPU seconds, and scaled to a 50-article charter), then per language top-1, top-3,
uncovered questions recognised, and p50/p95 latency per question (the question's embedding
included: nothing is remembered between questions) with the embedding's own share.
The load average is printed first and last: on a shared machine the wall times depend on it.
Last, the bot's peak RSS: the real Application in a child process, the model loaded,
10,000 roster entries, answering the Kunming questions.

Usage: python bench/knowledge.py [-v] [--only kunming|lanjiang|rss] [--lexical]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.knowledge.dense import Progress
from bot.knowledge.search import SearchResult
from bot.knowledge.service import CONTENT_DIR, KnowledgeBase
from storage.database import Database

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CHARTERS = {
    "kunming": (SHARED / "eval" / "kunming-dev.jsonl", None),
    "lanjiang": (SHARED / "eval" / "lanjiang-dev.jsonl", "lanjiang-articles"),
}
ROSTER = 10_000


def hit(result: SearchResult, item: dict[str, Any], depth: int) -> bool:
    """Tell whether the expected article or section is among the first `depth` matches."""
    expect = item["expect"]
    if expect is None:
        return not result.covered
    if not result.covered:
        return False
    for match in result.matches[:depth]:
        entry = match.entry
        if entry.kind == "articles" and entry.number in expect:
            return True
        section = str(item.get("expect_section") or "")
        if entry.kind == "mission" and section:
            return entry.title.strip().lower() == section.strip().lower()
    return False


def content_dir(charter: str, target: Path) -> Path:
    """The charter's files under the names the knowledge base loads."""
    stem = CHARTERS[charter][1]
    if stem is None:
        return CONTENT_DIR
    for language in ("zh", "en"):
        shutil.copy(
            SHARED / "knowledge" / f"{stem}.{language}.md", target / f"articles.{language}.md"
        )
    return target


def progress_bar(label: str) -> Progress:
    """A one-line progress bar on stderr."""

    async def show(done: int, total: int) -> None:
        if total:
            filled = 30 * done // total
            bar = "#" * filled + "-" * (30 - filled)
            print(f"\r  {label} [{bar}] {done}/{total}", end="", file=sys.stderr, flush=True)
            if done == total:
                print(file=sys.stderr)

    return show


async def measure(kb: KnowledgeBase, dev: Path, verbose: bool) -> dict[str, dict[str, Any]]:
    """Accuracy and latency per language."""
    items = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line]
    figures: dict[str, dict[str, Any]] = {}
    for item in items:
        row = figures.setdefault(
            item["lang"],
            {"top1": 0, "top3": 0, "count": 0, "unc": 0, "unc_of": 0, "ms": [], "embed": []},
        )
        kb.forget_questions()
        start = time.perf_counter()
        result = await kb.search(item["q"], item["lang"])
        row["ms"].append((time.perf_counter() - start) * 1000)
        if kb.embedder is not None:  # the model's share: the same question embedded alone
            start = time.perf_counter()
            kb.embedder.embed_query(item["q"])
            row["embed"].append((time.perf_counter() - start) * 1000)
        if item["expect"] is None:
            row["unc_of"] += 1
            row["unc"] += not result.covered
        else:
            row["top1"] += hit(result, item, 1)
            row["top3"] += hit(result, item, 3)
            row["count"] += 1
        if verbose and not hit(result, item, 1):
            shown = [(m.entry.number or m.entry.title, m.score) for m in result.matches[:3]]
            print(
                f"  miss {item['id']} {item['q']} expect={item['expect']}"
                f" {item.get('expect_section', '')} covered={result.covered} got={shown}"
            )
    return figures


def workers(kb: KnowledgeBase) -> int:
    """How many threads the import embedded on."""
    return int(getattr(kb.embedder, "workers", 1))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share + 0.5) - 1)]


async def charter_bench(charter: str, verbose: bool, lexical: bool) -> None:
    """Import one charter on a fresh database and print its figures."""
    dev = CHARTERS[charter][0]
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        source = content_dir(charter, folder)
        db = await Database.open(folder / "bench.sqlite3")
        try:
            kb = KnowledgeBase(db, embedder=None) if lexical else KnowledgeBase(db)
            started, cpu = time.perf_counter(), time.process_time()
            await kb.start(source, progress_bar(f"{charter} embedding"))
            imported, cpu = time.perf_counter() - started, time.process_time() - cpu
            catalogue = await kb.catalogue()
            articles = sum(1 for e in catalogue.entries.values() if e.kind == "articles")
            sections = len(catalogue.entries) - articles
            vectors = await kb.vectors.count(kb.embedder.version) if kb.embedder else 0
            figures = await measure(kb, dev, verbose)
        finally:
            await db.close()
    mode = "semantic + words" if kb.semantic else "words only"
    per_50 = imported * 50 / max(articles / 2, 1)
    print(
        f"{charter} ({mode}): import of {articles} articles + {sections} mission sections"
        f" (zh + en; {vectors} passages embedded, {workers(kb)} threads):"
        f" {imported:.1f} s ({cpu:.1f} s CPU), {per_50:.1f} s per 50 articles in both languages"
        " (target < 60)"
    )
    for language, row in sorted(figures.items()):
        print(
            f"  {language}: top-1 {row['top1'] / row['count']:.3f} ({row['top1']}/{row['count']})"
            f"  top-3 {row['top3'] / row['count']:.3f}"
            f"  uncovered {row['unc']} of {row['unc_of']}"
            f"  p50 {statistics.median(row['ms']):.1f} ms  p95 {percentile(row['ms'], 0.95):.1f} ms"
            " (target p95 <= 50)"
        )
        if row["embed"]:
            print(
                f"      of which the question's embedding alone: p50"
                f" {statistics.median(row['embed']):.1f} ms  p95"
                f" {percentile(row['embed'], 0.95):.1f} ms"
            )


def seed_roster(db_path: Path, count: int) -> None:
    """`count` members on the roster of a new database."""

    async def migrate() -> None:
        db = await Database.open(db_path)
        await db.close()

    asyncio.run(migrate())
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    connection = sqlite3.connect(db_path)
    with connection:
        connection.executemany(
            "INSERT INTO persons (name, unit, role, telegram_id, language, created_at,"
            " updated_at) VALUES (?, ?, 'member', ?, 'en', ?, ?)",
            ((f"Member {n}", f"Unit {n % 97}", 900_000 + n, stamp, stamp) for n in range(count)),
        )
    connection.close()


async def rss_child(db_path: Path) -> None:
    """Run the real Application, answer the Kunming questions, print the peak RSS."""
    from telegram import Update

    from bot.app import build_application, on_shutdown, on_startup
    from bot.config import Settings
    from bot.transport import LocalBotApi, UpdateFactory

    app = build_application(Settings(db_path=db_path), request=LocalBotApi())
    factory = UpdateFactory()
    dev = CHARTERS["kunming"][0]
    items = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line]
    async with app:
        await on_startup(app)
        semantic = app.bot_data.knowledge.semantic
        for number, item in enumerate(items):
            user = factory.user(800_000 + number % 50, "Reader", item["lang"])
            await app.process_update(Update.de_json(factory.message(user, item["q"]), app.bot))
        await on_shutdown(app)
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            print(json.dumps({"peak_mb": int(line.split()[1]) / 1024, "semantic": semantic}))


def rss_bench() -> None:
    """Seed a database, run the child, print its figure."""
    with tempfile.TemporaryDirectory() as directory:
        db_path = Path(directory) / "bench.sqlite3"
        seed_roster(db_path, ROSTER)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSOC_", "TELEGRAM_"))}
        output = subprocess.run(
            [sys.executable, __file__, "--rss-child", str(db_path)],
            cwd=directory,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    figure = json.loads(output.strip().splitlines()[-1])
    mode = "model loaded" if figure["semantic"] else "words only"
    print(
        f"bot peak RSS, {mode}, {ROSTER:,} roster entries, answering the Kunming questions:"
        f" {figure['peak_mb']:.1f} MB (target <= 200)"
    )


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    parser.add_argument("--only", choices=[*CHARTERS, "rss"])
    parser.add_argument("--lexical", action="store_true", help="without the embedding model")
    parser.add_argument("--rss-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        asyncio.run(rss_child(args.rss_child))
        return
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    for charter in CHARTERS:
        if args.only in (None, charter):
            asyncio.run(charter_bench(charter, args.verbose, args.lexical))
    if args.only in (None, "rss"):
        rss_bench()
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
