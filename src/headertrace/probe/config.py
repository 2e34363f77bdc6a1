"""How a relay probe is run: who the tester says it is, which tests, how patiently.

::

    from headertrace.probe import ProbeConfig, probe

    report = probe("mx.example.com", ProbeConfig(our_domain="example.com", starttls=True))

The defaults are those of ``headertrace probe``. :func:`~headertrace.probe.probe` checks the
values and raises :class:`~headertrace.errors.ConfigurationError` for invalid ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from headertrace.probe.battery import DEFAULT_FROM, DEFAULT_TO

DEFAULT_PORT: Final = 25
DEFAULT_TIMEOUT: Final = 10.0
"""Seconds to wait for each reply."""
DEFAULT_DELAY: Final = 1.0
"""Seconds between transactions."""
MAX_RECONNECTS: Final = 10
"""New connections per run after the server closed one (planned renewals are not counted)."""
RECONNECT_DELAY: Final = 3.0
"""Seconds to wait before reconnecting to a server that closed the connection."""


@dataclass(frozen=True, slots=True)
class ProbeConfig:
    """Everything a probe needs besides the host; the defaults suit a run at a terminal."""

    port: int = DEFAULT_PORT
    our_domain: str | None = None
    """Your domain: enables the control test and the tests that spoof it. Without it a
    server refusing everyone also looks closed (a reason says so)."""
    helo_name: str | None = None
    """The name announced in EHLO (default: this host's name, or its address literal)."""
    mail_from: str = DEFAULT_FROM
    rcpt_to: str = DEFAULT_TO
    """The third party the relay tests ask the server to deliver to."""
    starttls: bool = False
    """Upgrade to TLS before testing (the certificate is not verified)."""
    auth: tuple[str, str] | None = field(default=None, repr=False)
    """``(user, password)``: add the authenticated check. Left out of ``repr``."""
    allow_plaintext_auth: bool = False
    """Send the password without TLS to a server that is not on loopback."""
    timeout: float = DEFAULT_TIMEOUT
    delay: float = DEFAULT_DELAY
    tests: tuple[str, ...] | None = None
    """Run only these tests (``None``: the whole battery); the control test and the catch-all
    checks they need always run."""
    reconnects: int = MAX_RECONNECTS
    """New connections allowed after the server hangs up."""
    reconnect_delay: float = RECONNECT_DELAY

    def __post_init__(self) -> None:
        tests: Iterable[str] | None = self.tests
        if isinstance(tests, str):
            object.__setattr__(self, "tests", (tests,))
        elif tests is not None and not isinstance(tests, tuple):
            object.__setattr__(self, "tests", tuple(tests))
