"""headertrace: email header forensics.

Trace the ``Received:`` chain of a message, type every hop, and find where the message
came from::

    import headertrace
    trace = headertrace.trace("complaint.eml")
    print(trace.origin)
"""

from __future__ import annotations

from headertrace.errors import (
    ConfigurationError,
    HeadertraceError,
    InputError,
    LookupFailed,
    ProbeError,
)
from headertrace.models import (
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

__version__ = "0.1.0"

__all__ = [
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
    "Origin",
    "ProbeError",
    "Server",
    "Source",
    "Trace",
    "Verdict",
    "__version__",
]
