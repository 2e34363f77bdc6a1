"""Bytes in: read what the caller hands over and find the reported message(s) inside.

``open_complaint`` unwraps ARF feedback reports, DSN bounces, forwards (attached, nested or
with pasted headers), Outlook ``.msg`` files, mbox files and Maildir folders, and returns the
messages to trace with the wrappers they came in. (Comparing what a report claims with the
trace of its original is a judgement: :func:`headertrace.judge.crosscheck.crosscheck`.)

Import these from here (``from headertrace.intake import open_complaint, Complaint``);
:func:`headertrace.trace` calls them for you. See ``docs/intake.md``.
"""

from headertrace.intake.complaint import open_complaint
from headertrace.intake.mailbox import iter_messages
from headertrace.intake.model import Complaint, Reported
from headertrace.intake.reader import read_source

__all__ = [
    "Complaint",
    "Reported",
    "iter_messages",
    "open_complaint",
    "read_source",
]
