"""`run_bot.py export-rsvps MEETING_ID [-o FILE]`: a meeting's answers as CSV."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.config import Settings
from bot.meetings.files import rsvp_csv
from storage.database import Database
from storage.meetings import MeetingRepository

__all__ = ["export_rsvps"]


async def _csv(settings: Settings, meeting_id: int) -> bytes | None:
    db = await Database.open(settings.db_path)
    try:
        repo = MeetingRepository(db)
        meeting = await repo.get(meeting_id)
        if meeting is None or meeting.status == "draft":
            return None
        return rsvp_csv(meeting, await repo.invitees(meeting.id), await repo.seated(meeting))
    finally:
        await db.close()


def export_rsvps(settings: Settings, meeting_id: int, output: str | None) -> int:
    """Write the CSV to `output` (or standard output); 1 if there is no such meeting."""
    if not settings.db_path.is_file():
        print(f"ASSOC_DB_PATH: no database at {settings.db_path}", file=sys.stderr)
        return 2
    data = asyncio.run(_csv(settings, meeting_id))
    if data is None:
        print(f"There is no meeting #{meeting_id}.", file=sys.stderr)
        return 1
    if output:
        Path(output).write_bytes(data)
        print(f"Wrote the answers to meeting #{meeting_id} to {output}.", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0
