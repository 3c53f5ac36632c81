"""Meetings: invitations and answers (RSVP), quorum, waitlist, reminders, .ics and CSV."""
