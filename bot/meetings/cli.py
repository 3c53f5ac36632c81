"""`run_bot.py export-rsvps|export-attendance MEETING_ID [-o FILE]`: a meeting's CSV files."""

from __future__ import annotations

import asyncio
import sys

from bot.cli_files import FileProblem, check_writable, write_bytes
from bot.config import Settings
from bot.meetings.files import attendance_csv, rsvp_csv
from storage.database import Database
from storage.meeting_answers import AnswerRepository
from storage.meeting_attendance import AttendanceRepository
from storage.meetings import MeetingRepository

__all__ = ["export_attendance", "export_rsvps"]


async def _csv(settings: Settings, meeting_id: int, kind: str) -> bytes | None:
    db = await Database.open(settings.db_path)
    try:
        repo = MeetingRepository(db)
        meeting = await repo.get(meeting_id)
        if meeting is None or meeting.status == "draft":
            return None
        invitees = await repo.invitees(meeting.id)
        if kind == "rsvps":
            return rsvp_csv(meeting, invitees, await AnswerRepository(db).seated(meeting))
        attendance = AttendanceRepository(db)
        return attendance_csv(
            meeting,
            invitees,
            await attendance.presence(meeting.id),
            await attendance.proxies(meeting.id),
            settings.timezone,
        )
    finally:
        await db.close()


def _export(settings: Settings, meeting_id: int, output: str | None, kind: str) -> int:
    if not settings.db_path.is_file():
        print(f"ASSOC_DB_PATH: no database at {settings.db_path}", file=sys.stderr)
        return 2
    try:
        if output:
            check_writable(output)
        data = asyncio.run(_csv(settings, meeting_id, kind))
        if data is None:
            print(f"There is no meeting #{meeting_id}.", file=sys.stderr)
            return 1
        if output:
            write_bytes(output, data)
    except FileProblem as problem:
        print(problem, file=sys.stderr)
        return 2
    what = "the answers to" if kind == "rsvps" else "the attendance of"
    if output:
        print(f"Wrote {what} meeting #{meeting_id} to {output}.", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def export_rsvps(settings: Settings, meeting_id: int, output: str | None) -> int:
    """Write the answers CSV to `output` (or standard output); 1 if there is no such meeting."""
    return _export(settings, meeting_id, output, "rsvps")


def export_attendance(settings: Settings, meeting_id: int, output: str | None) -> int:
    """Write the attendance CSV to `output` (or standard output); 1 if there is no such meeting."""
    return _export(settings, meeting_id, output, "attendance")
