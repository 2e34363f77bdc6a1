"""The one exception tree of headertrace.

Tracing never raises on bad mail: a damaged message becomes defects and findings in the
trace. Exceptions are for the caller's mistakes and for opt-in network work::

    HeadertraceError
    ├── InputError          the source cannot be read at all (missing file, wrong type)
    ├── ConfigurationError  an organisation file or option is wrong (names the key and value)
    ├── LookupFailed        an opt-in DNS/RDAP/blocklist lookup could not be done
    └── ProbeError          the active relay probe could not run (connection, protocol)

Errors from the libraries underneath are translated at the boundary (``raise ... from exc``),
so callers never need to catch a dependency's exception type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from headertrace.probe.report import ProbeReport


class HeadertraceError(Exception):
    """Base class of every error headertrace raises."""


class InputError(HeadertraceError):
    """The source could not be read (a missing file, an unsupported type)."""


class ConfigurationError(HeadertraceError):
    """An organisation description or an option is invalid.

    ``key`` and ``value`` name what was wrong, so the message can be acted on.
    """

    def __init__(self, message: str, *, key: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.key = key
        self.value = value


class LookupFailed(HeadertraceError):
    """An opt-in network lookup (DNS, RDAP, blocklist) could not be completed."""


class ProbeError(HeadertraceError):
    """The active relay probe could not run against the server.

    ``report`` holds what was seen before the run broke, when the server was to blame (no
    connection, no banner, a drop during setup): status ``inconclusive``, the reason, the
    dialogue so far. It is ``None`` for errors raised before any connection was tried.
    """

    def __init__(self, message: str, *, report: ProbeReport | None = None) -> None:
        super().__init__(message)
        self.report = report
