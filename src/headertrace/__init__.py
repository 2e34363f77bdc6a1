"""headertrace: email header forensics.

Trace the ``Received:`` chain of a message, type every hop, and find where it came from::

    import headertrace

    t = headertrace.trace("complaint.eml")
    print(t.origin)
    for hop in t.hops:
        print(hop.index, hop.client.ip, hop.server.host, hop.auth.authenticated)

Tracing is offline and never raises on bad mail; ``import headertrace`` loads no network
code. This package holds the core: :func:`trace`, :func:`trace_all`, :func:`parse_received`,
:func:`scan` and :func:`summarise` (many inputs, in parallel; see :mod:`headertrace.scan`),
the trace records, :class:`Organisation` and the errors. The rest lives in subpackages,
imported when used:

- :mod:`headertrace.enrich`: attribution (``Enricher``, ``LookupConfig``, ``IpInfo``,
  ``BlocklistResult``, ``Attribution``, ``classify_ip``, ``registered_domain``, standing)
- :mod:`headertrace.probe`: the relay probe (``probe``, ``ProbeConfig``, ``ProbeReport``)
- :mod:`headertrace.intake`: complaints and mailboxes (``open_complaint``, ``Complaint``)
- :mod:`headertrace.addresses`: address and host-name helpers (pure)
"""

from __future__ import annotations

import importlib
import typing

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
    Evidence,
    Finding,
    Hop,
    MessageInfo,
    Origin,
    Owner,
    Sender,
    Server,
    Source,
    Trace,
    Verdict,
    Wrapper,
)
from headertrace.parse.received import parse_received
from headertrace.scan import scan, summarise
from headertrace.tracing import trace, trace_all

if typing.TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"

__all__ = [
    "SCHEMA",
    "TLS",
    "Auth",
    "Client",
    "ConfigurationError",
    "Evidence",
    "Finding",
    "HeadertraceError",
    "Hop",
    "InputError",
    "LookupFailed",
    "MessageInfo",
    "Organisation",
    "Origin",
    "Owner",
    "ProbeError",
    "Sender",
    "Server",
    "Source",
    "Trace",
    "Verdict",
    "Wrapper",
    "__version__",
    "parse_received",
    "scan",
    "summarise",
    "trace",
    "trace_all",
]

_MOVED: dict[str, str] = {
    "Attribution": "headertrace.enrich",
    "BlocklistResult": "headertrace.enrich",
    "Enricher": "headertrace.enrich",
    "IpInfo": "headertrace.enrich",
    "LookupConfig": "headertrace.enrich",
    "classify_ip": "headertrace.enrich",
    "registered_domain": "headertrace.enrich",
    "ProbeReport": "headertrace.probe",
    "ProbeResult": "headertrace.probe",
    "probe": "headertrace.probe",
    "Complaint": "headertrace.intake",
    "Reported": "headertrace.intake",
    "open_complaint": "headertrace.intake",
}
"""Names that were once exported here and now live in a subpackage. They stay importable
from ``headertrace`` for old scripts (loaded on first use, so the network code of
``headertrace.enrich`` and ``headertrace.probe`` loads only when asked for) but are not part
of ``__all__``: new code imports them from the subpackage."""


def __getattr__(name: str) -> Any:
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    if name == "probe":
        # Importing the subpackage just set ``headertrace.probe`` to the module; old scripts
        # call ``headertrace.probe(host)``, as they could when it was imported here.
        globals()[name] = value
    return value
