"""Benchmark the knowledge search: dev-set accuracy per language and latency on 500 articles."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.knowledge.parser import parse_articles
from bot.knowledge.search import SearchResult
from bot.knowledge.service import CONTENT_DIR, KnowledgeBase
from storage.database import Database

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "kunming-dev.jsonl"


def hit(result: SearchResult, item: dict[str, object], depth: int) -> bool:
    """Tell whether the expected article or section is among the first `depth` matches."""
    expect = item["expect"]
    if expect is None:
        return not result.covered
    if not result.covered:
        return False
    for match in result.matches[:depth]:
        entry = match.entry
        if entry.kind == "articles" and entry.number in expect:  # type: ignore[operator]
            return True
        if entry.kind == "mission" and item.get("expect_section"):
            return _section_matches(entry.title, str(item["expect_section"]))
    return False


def _section_matches(title: str, expected: str) -> bool:
    """Compare a section title with the expected one."""
    return title.strip().lower() == expected.strip().lower()


async def accuracy(kb: KnowledgeBase, dev: Path, verbose: bool) -> None:
    """Print top-1/top-3 per language and how many uncovered questions were recognised."""
    items = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line]
    figures: dict[str, list[int]] = {}
    uncovered = [0, 0]
    for item in items:
        result = await kb.search(item["q"], item["lang"])
        if item["expect"] is None:
            uncovered[1] += 1
            uncovered[0] += not result.covered
        else:
            top1, top3 = hit(result, item, 1), hit(result, item, 3)
            row = figures.setdefault(item["lang"], [0, 0, 0])
            row[0] += top1
            row[1] += top3
            row[2] += 1
        if verbose and not hit(result, item, 1):
            shown = [
                (m.entry.number or m.entry.title, m.score, m.coverage) for m in result.matches[:3]
            ]
            print(
                f"  miss {item['id']} {item['q']} expect={item['expect']}"
                f" {item.get('expect_section', '')} covered={result.covered} got={shown}"
            )
    for language, (top1, top3, count) in sorted(figures.items()):
        print(
            f"{language}: top-1 {top1 / count:.3f} ({top1}/{count})"
            f"  top-3 {top3 / count:.3f} ({top3}/{count})"
        )
    print(f"uncovered recognised: {uncovered[0]} of {uncovered[1]}")


def synthetic_articles(count: int, language: str, seed: int) -> str:
    """Generate an Articles text of `count` articles from the sample's sentences."""
    sample = parse_articles((CONTENT_DIR / f"articles.{language}.md").read_text(encoding="utf-8"))
    rng = random.Random(seed)
    bodies = [a.body for a in sample.articles]
    lines = []
    for number in range(1, count + 1):
        if number % 10 == 1:
            chapter = number // 10 + 1
            lines.append(
                f"## 第{chapter}章 第{chapter}部分"
                if language == "zh"
                else f"## Chapter {chapter} Part {chapter}"
            )
        lines.append(f"### 第{number}条" if language == "zh" else f"### Article {number}")
        lines.append(rng.choice(bodies) + ("\n" + rng.choice(bodies) if rng.random() < 0.3 else ""))
    return "\n".join(lines)


async def latency(kb: KnowledgeBase, dev: Path) -> None:
    """Print p50/p95 per query over the dev questions on a 500-article corpus per language."""
    for language in ("zh", "en"):
        text = synthetic_articles(500, language, seed=7)
        await kb.import_articles(parse_articles(text, language), source="bench")
    questions = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line]
    timings = []
    for _ in range(5):
        for item in questions:
            start = time.perf_counter()
            await kb.search(item["q"], item["lang"])
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"latency on 500 articles per language ({len(timings)} queries):"
        f" p50 {p50:.2f} ms  p95 {p95:.2f} ms"
    )


async def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev", type=Path, default=DEV_SET)
    parser.add_argument("-v", "--verbose", action="store_true", help="list the misses")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        db = await Database.open(Path(directory) / "bench.sqlite3")
        try:
            kb = KnowledgeBase(db)
            await kb.start()
            await accuracy(kb, args.dev, args.verbose)
            await latency(kb, args.dev)
        finally:
            await db.close()


if __name__ == "__main__":
    asyncio.run(main())
