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

from headertrace.enrich import (
    Attribution,
    BlocklistResult,
    Enricher,
    IpInfo,
    LookupConfig,
    classify_ip,
    registered_domain,
)
from headertrace.errors import (
    ConfigurationError,
    HeadertraceError,
    InputError,
    LookupFailed,
    ProbeError,
)
from headertrace.intake import Complaint, Reported, open_complaint
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
from headertrace.probe import ProbeReport, ProbeResult, probe
from headertrace.tracing import trace, trace_all

__version__ = "0.1.0"

__all__ = [
    "SCHEMA",
    "TLS",
    "Attribution",
    "Auth",
    "BlocklistResult",
    "Client",
    "Complaint",
    "ConfigurationError",
    "Enricher",
    "Finding",
    "HeadertraceError",
    "Hop",
    "InputError",
    "IpInfo",
    "LookupConfig",
    "LookupFailed",
    "MessageInfo",
    "Organisation",
    "Origin",
    "ProbeError",
    "ProbeReport",
    "ProbeResult",
    "Reported",
    "Server",
    "Source",
    "Trace",
    "Verdict",
    "__version__",
    "classify_ip",
    "open_complaint",
    "parse_received",
    "probe",
    "registered_domain",
    "trace",
    "trace_all",
]
