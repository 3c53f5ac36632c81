"""The `ask` and `import-articles` subcommands of run_bot.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from bot.cli_files import FileProblem, read_utf8
from bot.knowledge.answers import answer_payload, answer_text
from bot.knowledge.dense import Progress
from bot.knowledge.parser import (
    Language,
    ParsedArticles,
    ParseError,
    gaps_text,
    parse_articles,
)
from bot.knowledge.service import KnowledgeBase
from storage.database import Database

__all__ = [
    "ask_command",
    "describe_import",
    "import_command",
    "progress_bar",
    "restore_command",
]

BAR = 30


def _base(db: Database, semantic: bool) -> KnowledgeBase:
    """The knowledge base, with the embedding model unless semantic search is off."""
    return KnowledgeBase(db, embedder="default" if semantic else None)


def progress_bar(out: TextIO) -> Progress:
    """A progress bar for embedding, on `out` (a terminal's stderr)."""

    async def show(done: int, total: int) -> None:
        if not total:
            return
        filled = BAR * done // total
        out.write(f"\rEmbedding passages [{'#' * filled}{'-' * (BAR - filled)}] {done}/{total}")
        if done == total:
            out.write("\n")
        out.flush()

    return show


async def ask_command(
    db_path: Path,
    question: str,
    language: Language | None,
    as_json: bool,
    out: TextIO,
    *,
    semantic: bool = True,
) -> int:
    """Answer one question from the knowledge base and print it."""
    from bot.knowledge.parser import detect_language

    lang: Language = language or detect_language(question)
    db = await Database.open(db_path)
    try:
        kb = _base(db, semantic)
        await kb.start(progress=progress_bar(sys.stderr))
        result = await kb.search(question, lang)
    finally:
        await db.close()
    if as_json:
        out.write(json.dumps(answer_payload(result, lang), ensure_ascii=False) + "\n")
    else:
        out.write(answer_text(result, lang) + "\n")
    return 0


def describe_import(parsed: ParsedArticles) -> str:
    """Say what a file holds: language, chapters, articles, numbering gaps and warnings."""
    lines = [
        f"Language: {'Chinese' if parsed.language == 'zh' else 'English'}",
        f"Chapters: {len(parsed.chapters)}",
        f"Articles: {len(parsed.articles)} (numbers {parsed.articles[0].number}"
        f"–{max(a.number for a in parsed.articles)})",
        "Numbering gaps: " + (gaps_text(parsed.gaps) or "none"),
    ]
    lines.extend(f"Warning: {warning}" for warning in parsed.warnings)
    return "\n".join(lines)


async def import_command(
    db_path: Path, file: Path, language: Language | None, out: TextIO, *, semantic: bool = True
) -> int:
    """Replace one language's Articles from a file, keeping the previous version."""
    try:
        parsed = parse_articles(read_utf8(file), language)
    except FileProblem as problem:
        print(problem, file=sys.stderr)
        return 2
    except ParseError as error:
        print(f"{file}: {error}", file=sys.stderr)
        return 2
    out.write(describe_import(parsed) + "\n")
    db = await Database.open(db_path)
    try:
        kb = _base(db, semantic)
        await kb.start(progress=progress_bar(sys.stderr))
        document_id = await kb.import_articles(
            parsed, source=file.name, progress=progress_bar(sys.stderr)
        )
        step = await kb.out_of_step(parsed.language)
    finally:
        await db.close()
    out.write(
        f"Imported as version #{document_id}; the previous version is kept and can be restored.\n"
    )
    if step is not None:
        out.write(step.describe("en") + "\n")
    return 0


async def restore_command(
    db_path: Path, language: Language, out: TextIO, *, semantic: bool = True
) -> int:
    """Make the version of a language's Articles before the current one current again."""
    db = await Database.open(db_path)
    try:
        kb = _base(db, semantic)
        await kb.start(progress=progress_bar(sys.stderr))
        restored = await kb.restore(language)
    finally:
        await db.close()
    if restored is None:
        print(f"No earlier version of the {language} Articles to restore.", file=sys.stderr)
        return 1
    out.write(
        f"Restored version #{restored.id} of the {language} Articles"
        f" ({restored.entries} articles, imported {restored.imported_at} from"
        f" {restored.source or 'unknown source'}).\n"
    )
    return 0
