"""What intake hands to the tracer: the reported message(s) and what wrapped them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from headertrace._frozen import fast_init
from headertrace.models import Finding, JSONDict, Source, SourceKind, Wrapper


@fast_init
@dataclass(frozen=True, slots=True)
class Reported:
    """One message to trace, found inside what the caller handed over."""

    raw: bytes
    """The reported message's bytes (at least its complete header block). For pasted headers,
    the reconstructed block: unquoted, re-wrapped lines rejoined, ending with an empty line."""
    source: Source
    """How it was found: kind, file path, MIME part path and the wrappers (outermost first)."""
    findings: tuple[Finding, ...] = ()
    """What the tracer should say about this message (``pasted-headers``, ``report-truncated``)."""
    span: tuple[int, int] | None = field(default=None, compare=False, repr=False)
    """Where intake's glance found the header block in ``raw``, for ``split_header_block``
    (None: not known). Found on the way; not part of what was reported."""

    def to_dict(self) -> JSONDict:
        return {
            "source": self.source.to_dict(),
            "size": len(self.raw),
            "sha256": hashlib.sha256(self.raw).hexdigest(),
            "findings": [f.to_dict() for f in self.findings],
        }


@fast_init
@dataclass(frozen=True, slots=True)
class Complaint:
    """What was found in a complaint, a report, a bounce or a mailbox."""

    reported: tuple[Reported, ...]
    """The messages to trace, in order of appearance."""
    findings: tuple[Finding, ...] = ()
    """About the complaint as a whole: what is missing or damaged (``no-reported-message``,
    ``nesting-too-deep``, ``report-empty-original``...). Not repeated in ``reported``."""
    wrappers: tuple[Wrapper, ...] = ()
    """Every wrapper met (forward, ARF report, DSN), outermost first, including those of
    reports whose original is missing (their fields are still evidence)."""
    path: str | None = None
    container: SourceKind = "message"
    """``message``, ``msg``, ``mbox`` or ``maildir``: what the input was."""

    def to_dict(self) -> JSONDict:
        return {
            "path": self.path,
            "container": self.container,
            "reported": [r.to_dict() for r in self.reported],
            "wrappers": [w.to_dict() for w in self.wrappers],
            "findings": [f.to_dict() for f in self.findings],
        }
