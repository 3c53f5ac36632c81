"""Benchmark the knowledge search per charter and language, and the bot's memory with it.

For each charter (the shipped Kunming sample with its mission page; the Lanjiang charter,
articles only) on a fresh database: the import time of both languages with every passage
embedded (the vectors shipped with the content are not used here; wall and CPU seconds,
and scaled to a 50-article charter), then per language top-1, top-3, uncovered questions
recognised, and p50/p95 latency per question (the question's embedding included: nothing
is remembered between questions) with the embedding's own share. Each question is asked
`--rounds` times (3 by default) and every timing counts, so that a p95 over a few dozen
questions does not rest on the one or two moments the shared machine was busy elsewhere;
accuracy is read from the first round (the answers are the same each time).

Wall times depend on what else runs on the machine: the load average is printed with every
group of figures, and each latency comes with its CPU time (this process's, all threads),
which depends on the load much less. Compare CPU times across runs; read wall times with
their load (on 2 cores, a load above 1 means a question waits for a core).

Last, the bot's memory: the real Application in a child process with 10,000 roster entries,
started on an empty database (the shipped content and its vectors), answering the Kunming
questions; the first of them loads the model. It prints the peak RSS (target <= 200), the
resident memory at the end split into anonymous and file pages, the memory before the first
question, and what the first question costs.

Usage: python bench/knowledge.py [-v] [--only kunming|lanjiang|rss] [--lexical]
       [--question-threads N] [--rounds N]
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


async def measure(
    kb: KnowledgeBase, dev: Path, verbose: bool, rounds: int
) -> dict[str, dict[str, Any]]:
    """Accuracy (first round) and latency (every round) per language."""
    items = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line]
    figures: dict[str, dict[str, Any]] = {}
    for item in items:
        row = figures.setdefault(
            item["lang"],
            {
                "top1": 0,
                "top3": 0,
                "count": 0,
                "unc": 0,
                "unc_of": 0,
                "ms": [],
                "cpu": [],
                "embed": [],
                "embed_cpu": [],
            },
        )
        results = []
        for _ in range(max(rounds, 1)):
            kb.forget_questions()
            start, cpu = time.perf_counter(), time.process_time()
            results.append(await kb.search(item["q"], item["lang"]))
            row["ms"].append((time.perf_counter() - start) * 1000)
            row["cpu"].append((time.process_time() - cpu) * 1000)
            if kb.embedder is not None:  # the model's share: the same question embedded alone
                start, cpu = time.perf_counter(), time.process_time()
                await asyncio.to_thread(kb.embedder.embed_query, item["q"])
                row["embed"].append((time.perf_counter() - start) * 1000)
                row["embed_cpu"].append((time.process_time() - cpu) * 1000)
        result = results[0]
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


async def charter_bench(
    charter: str, verbose: bool, lexical: bool, threads: int, rounds: int
) -> None:
    """Import one charter on a fresh database and print its figures."""
    dev = CHARTERS[charter][0]
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        source = content_dir(charter, folder)
        db = await Database.open(folder / "bench.sqlite3")
        try:
            kb = KnowledgeBase(db, embedder=None) if lexical else KnowledgeBase(db)
            started, cpu = time.perf_counter(), time.process_time()
            if threads and kb.embedder is not None:
                kb.embedder.question_threads = threads  # type: ignore[attr-defined]
            # The import is timed embedding everything, the shipped vectors unused.
            await kb.start(source, progress_bar(f"{charter} embedding"), shipped_vectors=False)
            imported, cpu = time.perf_counter() - started, time.process_time() - cpu
            catalogue = await kb.catalogue()
            articles = sum(1 for e in catalogue.entries.values() if e.kind == "articles")
            sections = len(catalogue.entries) - articles
            vectors = await kb.vectors.count(kb.embedder.version) if kb.embedder else 0
            figures = await measure(kb, dev, verbose, rounds)
        finally:
            await db.close()
    mode = "semantic + words" if kb.semantic else "words only"
    spread = getattr(kb.embedder, "questions_on", {})
    if spread:
        mode += ", question embeddings (two a question) on " + ", ".join(
            f"{threads} cores: {count}" for threads, count in sorted(spread.items())
        )
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
            f" ({len(row['ms'])} timings; target p95 <= 50;"
            f" CPU p50 {statistics.median(row['cpu']):.1f}"
            f" p95 {percentile(row['cpu'], 0.95):.1f} ms)"
        )
        if row["embed"]:
            print(
                f"      of which the question's embedding alone: p50"
                f" {statistics.median(row['embed']):.1f} ms  p95"
                f" {percentile(row['embed'], 0.95):.1f} ms (CPU p50"
                f" {statistics.median(row['embed_cpu']):.1f} p95"
                f" {percentile(row['embed_cpu'], 0.95):.1f} ms)"
            )
    print(load_line("after"))


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


def memory_mb() -> dict[str, float]:
    """This process's peak and current RSS, and the current one's anonymous and file parts."""
    fields: dict[str, float] = {}
    for name in ("status", "smaps_rollup"):
        for line in Path(f"/proc/self/{name}").read_text().splitlines():
            key, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                fields[key] = int(value.split()[0]) / 1024
    return {
        "peak_mb": fields.get("VmHWM", 0.0),
        "rss_mb": fields.get("VmRSS", 0.0),
        "anon_mb": fields.get("Anonymous", 0.0),
        "file_mb": fields.get("RssFile", 0.0),
    }


async def rss_child(db_path: Path) -> None:
    """Run the real Application, answer the Kunming questions, print the memory figures.

    Also times the first question, which loads the model, against the median of the rest.
    """
    from telegram import Update

    from bot.app import build_application, on_shutdown, on_startup
    from bot.config import Settings
    from bot.transport import LocalBotApi, UpdateFactory

    app = build_application(Settings(db_path=db_path), request=LocalBotApi())
    factory = UpdateFactory()
    dev = CHARTERS["kunming"][0]
    items = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line]
    wall: list[float] = []
    async with app:
        started = time.perf_counter()
        await on_startup(app)
        startup = time.perf_counter() - started
        before = memory_mb()
        embedder = app.bot_data.knowledge.embedder
        loaded_at_start = bool(getattr(embedder, "loaded", embedder is not None))
        for number, item in enumerate(items):
            user = factory.user(800_000 + number % 50, "Reader", item["lang"])
            update = Update.de_json(factory.message(user, item["q"]), app.bot)
            started = time.perf_counter()
            await app.process_update(update)
            wall.append((time.perf_counter() - started) * 1000)
        semantic = app.bot_data.knowledge.semantic
        await on_shutdown(app)
    figures = memory_mb()
    figures.update(
        semantic=semantic,
        startup_s=startup,
        before_questions_mb=before["rss_mb"],
        loaded_at_start=loaded_at_start,
        first_ms=wall[0],
        rest_ms=statistics.median(wall[1:]),
    )
    print(json.dumps(figures))


def rss_bench() -> bool:
    """Seed a database, run the child, print its figure; False (and its error) if it failed."""
    with tempfile.TemporaryDirectory() as directory:
        db_path = Path(directory) / "bench.sqlite3"
        seed_roster(db_path, ROSTER)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSOC_", "TELEGRAM_"))}
        child = subprocess.run(
            [sys.executable, __file__, "--rss-child", str(db_path)],
            cwd=directory,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    lines = child.stdout.strip().splitlines()
    if child.returncode != 0 or not lines:
        print(
            f"bot peak RSS: the bot process failed (exit status {child.returncode}); its error:",
            file=sys.stderr,
        )
        print(child.stderr.strip() or "(nothing on stderr)", file=sys.stderr)
        return False
    figure = json.loads(lines[-1])
    mode = "model loaded" if figure["semantic"] else "words only"
    print(
        f"bot peak RSS, {mode}, {ROSTER:,} roster entries, answering the Kunming questions:"
        f" {figure['peak_mb']:.1f} MB (target <= 200); at the end {figure['rss_mb']:.1f} MB ="
        f" {figure['anon_mb']:.1f} anonymous + {figure['file_mb']:.1f} file pages"
    )
    loaded = "loaded" if figure["loaded_at_start"] else "not loaded yet"
    print(
        f"  first start (shipped content): {figure['startup_s']:.1f} s, then"
        f" {figure['before_questions_mb']:.1f} MB with the model {loaded};"
        f" the first question {figure['first_ms']:.0f} ms (the model's load included),"
        f" the others' median {figure['rest_ms']:.0f} ms (whole update, reply included)"
    )
    print(load_line("after"))
    return True


def load_line(when: str) -> str:
    """The load average, printed with every figure: wall times depend on it, CPU times less."""
    return "  load average {}: {:.2f} {:.2f} {:.2f}".format(when, *os.getloadavg())


def main() -> int:
    """Run the benchmark; exit status 1 when the bot process failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    parser.add_argument("--only", choices=[*CHARTERS, "rss"])
    parser.add_argument("--lexical", action="store_true", help="without the embedding model")
    parser.add_argument(
        "--question-threads", type=int, default=0, help="cores per question (default: the bot's)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="times each question is asked (default 3)"
    )
    parser.add_argument("--rss-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        asyncio.run(rss_child(args.rss_child))
        return 0
    print(load_line("at start").strip())
    for charter in CHARTERS:
        if args.only in (None, charter):
            asyncio.run(
                charter_bench(
                    charter, args.verbose, args.lexical, args.question_threads, args.rounds
                )
            )
    if args.only in (None, "rss") and not rss_bench():
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
