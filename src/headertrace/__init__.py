"""headertrace: email header forensics.

Trace the ``Received:`` chain of a message, type every hop, and find where it came from::

    import headertrace

    t = headertrace.trace("complaint.eml")
    print(t.origin)
    for hop in t.hops:
        print(hop.index, hop.client.ip, hop.server.host, hop.auth.authenticated)

Tracing is offline and never raises on bad mail.
"""

from __future__ import annotations

from headertrace.errors import (
    ConfigurationError,
    HeadertraceError,
    InputError,
    LookupFailed,
    ProbeError,
)
from headertrace.judge.org import Organisation
from headertrace.models import (
    SCHEMA,
    TLS,
    Auth,
    Client,
    Finding,
    Hop,
    MessageInfo,
    Origin,
    Server,
    Source,
    Trace,
    Verdict,
)
from headertrace.parse.received import parse_received
from headertrace.tracing import trace

__version__ = "0.1.0"

__all__ = [
    "SCHEMA",
    "TLS",
    "Auth",
    "Client",
    "ConfigurationError",
    "Finding",
    "HeadertraceError",
    "Hop",
    "InputError",
    "LookupFailed",
    "MessageInfo",
    "Organisation",
    "Origin",
    "ProbeError",
    "Server",
    "Source",
    "Trace",
    "Verdict",
    "__version__",
    "parse_received",
    "trace",
]
