"""The roster: CSV import, invite links, applications, command menus and personal data."""
