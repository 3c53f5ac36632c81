"""The meeting repositories stand alone: each imports only the shared row and column helpers."""

from __future__ import annotations

from tests.test_architecture import ROOT, _imports, _modules

# What a meeting repository may import from storage/: the connection, time stamps, the rows
# of meetings and invitations, the people's columns and domain words, and the one outbox.
SHARED_HELPERS = {
    "storage.database",
    "storage.timestamps",
    "storage.meeting_rows",
    "storage.people",
    "storage.outbox",
}


def test_each_meeting_repository_imports_no_other_meeting_repository() -> None:
    modules = {name: path for name, path in _modules().items() if name.startswith("storage")}
    known = set(modules)
    meeting_modules = [name for name in modules if name.startswith("storage.meeting")]
    assert "storage.meetings" in meeting_modules and "storage.meeting_answers" in meeting_modules
    for name in meeting_modules:
        imported = _imports(modules[name], name, known, for_types=True)
        assert imported <= SHARED_HELPERS, f"{name} imports {sorted(imported - SHARED_HELPERS)}"
    assert (ROOT / "storage" / "meeting_rows.py").is_file()
