"""The active relay probe: is this SMTP server an open relay?

::

    from headertrace.probe import ProbeConfig, probe

    report = probe("mx.example.com", ProbeConfig(our_domain="example.com"))
    print(report.status, report.summary.accepted)

Each test is one transaction that stops at ``RCPT TO``: ``DATA`` is never sent, so no
message is ever delivered. :class:`ProbeConfig` says how to probe (port, our domain, tests,
TLS, the authenticated check, timeouts), as :class:`~headertrace.enrich.LookupConfig` does
for lookups; :class:`ProbeReport` is the answer. See ``docs/probe.md`` for reading the
report. The text rendering is in :mod:`headertrace.render.probe`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from headertrace.probe.battery import BATTERY, DEFAULT_FROM, DEFAULT_TO, TEST_NAMES, ProbeTest
from headertrace.probe.config import ProbeConfig
from headertrace.probe.report import (
    AuthCheck,
    Exchange,
    Greeting,
    ProbeReport,
    ProbeResult,
    ProbeSummary,
    TLSInfo,
)

if TYPE_CHECKING:
    from headertrace.probe.runner import probe


def __getattr__(name: str) -> Any:
    """Load the SMTP code (sockets, ssl) when :func:`probe` is first asked for: the records
    and the battery stay importable without it (the renderer needs only those)."""
    if name == "probe":
        from headertrace.probe.runner import probe  # noqa: PLC0415 - network code on demand

        return probe
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BATTERY",
    "DEFAULT_FROM",
    "DEFAULT_TO",
    "TEST_NAMES",
    "AuthCheck",
    "Exchange",
    "Greeting",
    "ProbeConfig",
    "ProbeReport",
    "ProbeResult",
    "ProbeSummary",
    "ProbeTest",
    "TLSInfo",
    "probe",
]
