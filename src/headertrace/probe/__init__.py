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
from headertrace.probe.runner import probe

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
