"""Personal data: everything held about a person as JSON, and erasure that keeps counts."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.app import BotData
from storage.people import Person
from storage.privacy import (
    erase_other_tables,
    erase_roster_data,
    export_other_tables,
    export_roster_data,
)

__all__ = ["erase_personal_data", "personal_data_json"]


async def personal_data_json(data: BotData, person: Person, now: datetime) -> bytes:
    """The /mydata document: the roster's data, each feature's section, the other tables."""
    document: dict[str, Any] = {
        "generated_at": now.isoformat(),
        "about": "Everything the bot holds about you / 机器人保存的关于您的全部数据",
    }
    document.update(await export_roster_data(data.db, person.id))
    for exporter in data.personal_data_exporters:
        document.update(await exporter(data.db, person))
    skip = frozenset(data.personal_data_tables)
    others = await export_other_tables(data.db, person.id, skip)
    if others:
        document["other_records"] = others
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")


async def erase_personal_data(data: BotData, person: Person, now: datetime) -> None:
    """Erase the person's personal data everywhere in one transaction; keep ids and roles."""
    skip = frozenset(data.personal_data_tables)
    async with data.db.transaction() as tx:
        for eraser in data.personal_data_erasers:
            await eraser(tx, person, now)
        await erase_other_tables(tx, person.id, skip)
        await erase_roster_data(tx, person.id, now)
