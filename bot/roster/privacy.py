"""Personal data: everything held about a person as JSON, and erasure that keeps counts."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.database import Database, Transaction
from storage.people import Person
from storage.privacy import (
    erase_other_tables,
    erase_roster_data,
    export_other_tables,
    export_roster_data,
)

__all__ = [
    "PersonalDataEraser",
    "PersonalDataExporter",
    "PersonalDataRegistry",
    "erase_personal_data",
    "personal_data",
    "personal_data_file",
    "personal_data_json",
]

# A feature's share of /mydata (a JSON-ready section) and of /forgetme (inside one transaction).
PersonalDataExporter = Callable[[Database, Person], Awaitable[dict[str, Any]]]
PersonalDataEraser = Callable[[Transaction, Person, datetime], Awaitable[None]]


@dataclass
class PersonalDataRegistry:
    """Each feature's exporter and eraser of the personal data it keeps in its own tables."""

    exporters: list[PersonalDataExporter] = field(default_factory=list)
    erasers: list[PersonalDataEraser] = field(default_factory=list)
    # Tables whose personal data a registered exporter/eraser handles itself; the roster's
    # generic pass over tables with a person_id column leaves them alone.
    tables: set[str] = field(default_factory=set)


async def personal_data(
    db: Database, registry: PersonalDataRegistry, person: Person, now: datetime
) -> dict[str, Any]:
    """The /mydata document: the roster's data, each feature's section, the other tables."""
    document: dict[str, Any] = {
        "generated_at": now.isoformat(),
        "about": "Everything the bot holds about you / 机器人保存的关于您的全部数据",
    }
    document.update(await export_roster_data(db, person.id))
    for exporter in registry.exporters:
        document.update(await exporter(db, person))
    others = await export_other_tables(db, person.id, frozenset(registry.tables))
    if others:
        document["other_records"] = others
    return document


def personal_data_file(document: dict[str, Any]) -> bytes:
    """The /mydata document as the JSON file sent with it."""
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")


async def personal_data_json(
    db: Database, registry: PersonalDataRegistry, person: Person, now: datetime
) -> bytes:
    """The /mydata document as JSON."""
    return personal_data_file(await personal_data(db, registry, person, now))


async def erase_personal_data(
    db: Database, registry: PersonalDataRegistry, person: Person, now: datetime
) -> None:
    """Erase the person's personal data everywhere in one transaction; keep ids and roles."""
    skip = frozenset(registry.tables)
    async with db.transaction() as tx:
        for eraser in registry.erasers:
            await eraser(tx, person, now)
        await erase_other_tables(tx, person.id, skip)
        await erase_roster_data(tx, person.id, now)
