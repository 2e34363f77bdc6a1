"""The active relay probe: is this SMTP server an open relay?

::

    from headertrace.probe import probe
    report = probe("mx.example.com", our_domain="example.com")
    print(report.status, report.summary.accepted)

Each test is one transaction that stops at ``RCPT TO``: ``DATA`` is never sent, so no
message is ever delivered. See ``docs/probe.md`` for reading the report.
"""

from __future__ import annotations

from headertrace.probe.battery import BATTERY, DEFAULT_FROM, DEFAULT_TO, TEST_NAMES, ProbeTest
from headertrace.probe.report import (
    AuthCheck,
    Exchange,
    Greeting,
    ProbeReport,
    ProbeResult,
    ProbeSummary,
    TLSInfo,
)
from headertrace.probe.runner import probe

__all__ = [
    "BATTERY",
    "DEFAULT_FROM",
    "DEFAULT_TO",
    "TEST_NAMES",
    "AuthCheck",
    "Exchange",
    "Greeting",
    "ProbeReport",
    "ProbeResult",
    "ProbeSummary",
    "ProbeTest",
    "TLSInfo",
    "probe",
]
