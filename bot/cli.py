"""The command line of `run_bot.py`: run the bot, or one of its subcommands."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sqlite3
import sys
from collections.abc import Sequence

from telegram import Update

from bot.app import BotApplication, build_application
from bot.config import ConfigError, Settings
from bot.log_format import OneLineFormatter
from bot.numbers import MAX_ID, typed_number
from storage.faults import DatabaseFault, DatabaseUnavailable, fault_of
from storage.file_check import check_database_file, describe_fault

__all__ = ["build_parser", "main"]

logger = logging.getLogger(__name__)

LOCK_WAIT = 4.0  # seconds a command waits for another program to let go of the database


def _id(text: str) -> int:
    """An id on the command line: a whole number from 1 to 999999999."""
    number = typed_number(text)
    if number is None:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not an id (1 to {MAX_ID})")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="run_bot.py", description="Youxie bot: run it, or run one of its subcommands."
    )
    commands = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    console = commands.add_parser("console", help="chat with the bot in the terminal")
    speaker = console.add_mutually_exclusive_group()
    speaker.add_argument("--user", type=_id, metavar="ID", help="speak as this roster entry")
    speaker.add_argument(
        "--guest", action="store_true", help="speak as someone the bot has never seen"
    )
    ask = commands.add_parser("ask", help="answer one question from the knowledge base")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("--lang", choices=("zh", "en"), help="the question's language")
    ask.add_argument("question", nargs="+", metavar="QUESTION")
    articles = commands.add_parser("import-articles", help="replace the Articles from a file")
    articles.add_argument("file", metavar="FILE", nargs="?")
    articles.add_argument("--lang", choices=("zh", "en"), help="default: what the text is in")
    articles.add_argument(
        "--restore", action="store_true", help="make the previous version current (needs --lang)"
    )
    roster = commands.add_parser("roster", help="manage the roster")
    roster_commands = roster.add_subparsers(dest="roster_command", metavar="ACTION", required=True)
    roster_import = roster_commands.add_parser(
        "import",
        help="add or update entries from a CSV or Excel file (name,unit,role,telegram_id,language)",
    )
    roster_import.add_argument("file", metavar="FILE.csv|FILE.xlsx")
    roster_import.add_argument(
        "--confirm-secretariat",
        action="store_true",
        help="also apply rows that make someone secretariat or take it away (else they are"
        " listed and held back, or asked about at a terminal)",
    )
    roster_export = roster_commands.add_parser(
        "export", help="write the roster as CSV or Excel (by the file's extension)"
    )
    roster_export.add_argument("file", metavar="FILE.csv|FILE.xlsx")
    backup = commands.add_parser("backup", help="online copy of the database")
    backup.add_argument("file", metavar="FILE")
    export_rsvps = commands.add_parser("export-rsvps", help="a meeting's answers as CSV")
    export_rsvps.add_argument("meeting_id", type=_id, metavar="MEETING_ID")
    export_rsvps.add_argument("-o", "--output", metavar="FILE", help="write here, not stdout")
    attendance = commands.add_parser("export-attendance", help="who was present, as CSV")
    attendance.add_argument("meeting_id", type=_id, metavar="MEETING_ID")
    attendance.add_argument("-o", "--output", metavar="FILE", help="write here, not stdout")
    return parser


def configure_logging(console: bool) -> None:
    """Log to stderr, one line per record (no tracebacks); quieter in console mode; never log
    httpx's URLs (they hold the token)."""
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING if console else logging.INFO, handlers=[handler])
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


async def stop_sending_first_on_signals(app: BotApplication) -> None:
    """Start-up hook of a bot run by `run_polling`/`run_webhook`: on SIGTERM or SIGINT, take
    no new recipient at once, then stop the bot (its shut-down records the sends in flight).

    PTB's own handler would first wait for the update fetcher to stop, sending all the while.
    """
    loop = asyncio.get_running_loop()

    def stop() -> None:
        app.bot_data.notices.begin_stop()
        app.bot_data.meetings.begin_stop()
        app.stop_running()

    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(stop_signal, stop)


def run(settings: Settings) -> int:
    """Run on Telegram (polling or webhook) when a token is set, else the console chat."""
    if settings.console_mode:
        return console(settings, None)
    from bot.dashboard import DashboardStartError

    app = build_application(settings)
    app.bot_data.startup_hooks.append(stop_sending_first_on_signals)
    try:
        if settings.webhook_url:
            app.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=settings.webhook_path,
                secret_token=settings.webhook_secret,
                webhook_url=settings.webhook_url,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            app.run_polling(allowed_updates=Update.ALL_TYPES)
    except DashboardStartError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    return 0


def console(settings: Settings, person_id: int | None, guest: bool = False) -> int:
    """Chat on the terminal."""
    from bot.console import run_console
    from bot.dashboard import DashboardStartError

    try:
        return asyncio.run(
            run_console(settings, sys.stdin, sys.stdout, person_id=person_id, guest=guest)
        )
    except DashboardStartError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2


def backup(settings: Settings, target: str) -> int:
    """Copy the database with SQLite's online backup API."""
    from bot.cli_files import FileProblem, check_writable
    from storage.database import backup_database

    if not settings.db_path.is_file():
        print(f"ASSOC_DB_PATH: no database at {settings.db_path}", file=sys.stderr)
        return 2
    try:
        check_writable(target)
        pages = backup_database(settings.db_path, target)
    except FileProblem as problem:
        print(problem, file=sys.stderr)
        return 2
    except sqlite3.Error as error:
        print(f"{target}: the copy could not be written ({error})", file=sys.stderr)
        return 2
    print(f"Backed up {settings.db_path} to {target} ({pages} pages).")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, read the settings, and do what was asked.

    A damaged, read-only, locked or full database file ends in one line naming it and exit
    status 2, before anything is done or whenever it shows up.
    """
    args = build_parser().parse_args(argv)
    configure_logging(console=args.command != "run" and args.command is not None)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    problem = check_database_file(settings.db_path, write=args.command != "backup", wait=LOCK_WAIT)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    try:
        return _dispatch(args, settings)
    except (DatabaseUnavailable, sqlite3.Error) as error:
        fault = fault_of(error)
        if fault is None:
            raise
        detail = error.detail if isinstance(error, DatabaseUnavailable) else str(error)
        print(
            describe_fault(
                settings.db_path, fault, f" ({detail})" if fault is DatabaseFault.BUSY else detail
            ),
            file=sys.stderr,
        )
        return 2


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    """Run the subcommand `args` names."""
    if args.command is None:
        if settings.console_mode:
            logging.getLogger().setLevel(logging.WARNING)
        return run(settings)
    if args.command == "console":
        return console(settings, args.user, args.guest)
    if args.command == "ask":
        from bot.knowledge.commands import ask_command

        question = " ".join(args.question)
        return asyncio.run(
            ask_command(
                settings.db_path,
                question,
                args.lang,
                args.json,
                sys.stdout,
                semantic=settings.semantic_search,
            )
        )
    if args.command == "import-articles":
        from pathlib import Path

        from bot.knowledge.commands import import_command, restore_command

        if args.restore:
            if args.lang is None or args.file is not None:
                print("import-articles --restore needs --lang zh|en and no FILE", file=sys.stderr)
                return 2
            return asyncio.run(
                restore_command(
                    settings.db_path, args.lang, sys.stdout, semantic=settings.semantic_search
                )
            )
        if args.file is None:
            print("import-articles needs a FILE (or --restore --lang zh|en)", file=sys.stderr)
            return 2
        return asyncio.run(
            import_command(
                settings.db_path,
                Path(args.file),
                args.lang,
                sys.stdout,
                semantic=settings.semantic_search,
            )
        )
    if args.command == "backup":
        return backup(settings, args.file)
    if args.command == "export-rsvps":
        from bot.meetings.cli import export_rsvps as export_rsvps_command

        return export_rsvps_command(settings, args.meeting_id, args.output)
    if args.command == "export-attendance":
        from bot.meetings.cli import export_attendance

        return export_attendance(settings, args.meeting_id, args.output)
    if args.command == "roster":
        from bot.roster.cli import export_roster_file, import_roster

        if args.roster_command == "export":
            return export_roster_file(settings, args.file)
        return import_roster(settings, args.file, confirm_secretariat=args.confirm_secretariat)
    raise AssertionError(args.command)
