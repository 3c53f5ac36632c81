"""The `ask` and `import-articles` subcommands of run_bot.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from bot.knowledge.answers import answer_payload, answer_text
from bot.knowledge.parser import (
    Language,
    ParsedArticles,
    ParseError,
    gaps_text,
    parse_articles,
)
from bot.knowledge.service import KnowledgeBase
from storage.database import Database

__all__ = ["ask_command", "describe_import", "import_command", "restore_command"]


async def ask_command(
    db_path: Path, question: str, language: Language | None, as_json: bool, out: TextIO
) -> int:
    """Answer one question from the knowledge base and print it."""
    from bot.knowledge.parser import detect_language

    lang: Language = language or detect_language(question)
    db = await Database.open(db_path)
    try:
        kb = KnowledgeBase(db)
        await kb.start()
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
        f"Language: {parsed.language}",
        f"Chapters: {len(parsed.chapters)}",
        f"Articles: {len(parsed.articles)} (numbers {parsed.articles[0].number}"
        f"–{max(a.number for a in parsed.articles)})",
        "Numbering gaps: " + (gaps_text(parsed.gaps) or "none"),
    ]
    lines.extend(f"Warning: {warning}" for warning in parsed.warnings)
    return "\n".join(lines)


async def import_command(db_path: Path, file: Path, language: Language | None, out: TextIO) -> int:
    """Replace one language's Articles from a file, keeping the previous version."""
    try:
        text = file.read_text(encoding="utf-8-sig")
        parsed = parse_articles(text, language)
    except (OSError, UnicodeDecodeError, ParseError) as error:
        print(f"{file}: {error}", file=sys.stderr)
        return 2
    out.write(describe_import(parsed) + "\n")
    db = await Database.open(db_path)
    try:
        kb = KnowledgeBase(db)
        await kb.start()
        document_id = await kb.import_articles(parsed, source=file.name)
    finally:
        await db.close()
    out.write(
        f"Imported as version #{document_id}; the previous version is kept and can be restored.\n"
    )
    return 0


async def restore_command(db_path: Path, language: Language, out: TextIO) -> int:
    """Make the version of a language's Articles before the current one current again."""
    db = await Database.open(db_path)
    try:
        kb = KnowledgeBase(db)
        await kb.start()
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
