"""Notices: composition, schedules and recurrence, and the paced delivery engine."""
