"""Which addresses are ours to check: from the organisation and from a trace's custody.

* ``networks``: a single address (``/32``, ``/128``) is checked; so is every address of a
  range of at most :data:`MAX_RANGE` addresses (IPv4 ``/29`` to ``/31``, IPv6 ``/125`` to
  ``/127``; the network and broadcast addresses of an IPv4 ``/29`` or ``/30`` are left
  out, since no server sends from them). A larger range is not expanded: which of its
  addresses send mail is not written anywhere, so the report names the range as not checked.
* ``servers``: each name is resolved (A and AAAA) when the check runs; a glob
  (``*.mx.example.com``) names no host and is reported as not checked.
* A trace: the clients recorded in hops above our verified hops (chain of custody, see
  :mod:`headertrace.judge.custody`) whose client is ours -- the addresses our servers used to
  hand the message on -- with the Received header that recorded them.

Addresses that are not global (private, documentation, ...) are never on a blocklist; they
are reported as not checked. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from headertrace.addresses import classify_ip, parse_ip
from headertrace.enrich.standing import Note, OwnAddress, Targets
from headertrace.judge.custody import client_match, walk
from headertrace.judge.org import IPNetwork, Organisation
from headertrace.models import Trace

MAX_RANGE: Final = 8
"""The largest network (in addresses) that is checked address by address."""

_GLOB_CHARS: Final = frozenset("*?[")


def _address_target(text: str, source: str, evidence: tuple[str, ...] = ()) -> Targets:
    address = parse_ip(text)
    if address is None:
        return Targets(notes=(Note(text, f"{source}: not an IP address"),))
    ip = str(address)
    cls = classify_ip(ip)
    if cls != "global":
        return Targets(
            notes=(Note(ip, f"{source}: {cls} address; blocklists list only global addresses"),)
        )
    return Targets(addresses=(OwnAddress(ip, (source,), evidence),))


def network_targets(network: IPNetwork, label: str = "networks") -> Targets:
    """The addresses of one of our networks that are checked (see the module docstring)."""
    source = f"{label}: {network}"
    if network.num_addresses > MAX_RANGE:
        return Targets(
            notes=(
                Note(
                    str(network),
                    f"{label}: a range of {network.num_addresses} addresses is not checked "
                    f"address by address (at most {MAX_RANGE}); name the sending addresses "
                    "(--our-network ADDRESS) or the servers",
                ),
            )
        )
    hosts = [str(a) for a in network]
    if network.version == 4 and network.prefixlen in (29, 30):
        hosts = hosts[1:-1]
    out = Targets()
    for host in hosts:
        out = out.merge(_address_target(host, source))
    return out


def server_targets(names: Iterable[str], label: str = "servers") -> Targets:
    """Server names to resolve; globs and addresses written as names are sorted out here."""
    servers: list[str] = []
    out = Targets()
    for name in names:
        clean = name.strip().rstrip(".").lower()
        if not clean:
            continue
        if parse_ip(clean) is not None:
            out = out.merge(_address_target(clean, f"{label}: {clean}"))
        elif _GLOB_CHARS & set(clean):
            out = out.merge(
                Targets(
                    notes=(
                        Note(
                            clean,
                            f"{label}: a glob names no single host, so it cannot be "
                            "resolved; list the servers by name",
                        ),
                    )
                )
            )
        elif clean not in servers:
            servers.append(clean)
    return out.merge(Targets(servers=tuple(servers)))


def org_targets(org: Organisation) -> Targets:
    """Our sending addresses as the organisation names them: ``networks`` and ``servers``
    (``submission_networks`` are our users, not our servers, and are not checked)."""
    out = Targets()
    for network in org.networks:
        out = out.merge(network_targets(network))
    return out.merge(server_targets(org.servers))


def address_targets(addresses: Iterable[str], label: str = "argument") -> Targets:
    out = Targets()
    for text in addresses:
        out = out.merge(_address_target(text, label))
    return out


def trace_targets(trace: Trace, org: Organisation, label: str = "trace") -> Targets:
    """The addresses our servers used as clients in a trace: each hop above our newest
    verified hop (or, with none verified, the hop custody names as having received straight
    from an address of ours) whose recorded client is ours by address or by name."""
    custody = walk(trace.hops, org)
    chosen = []
    if custody.verified:
        newest = max(custody.verified)
        chosen = [
            h
            for h in trace.hops
            if h.index > newest
            and h.index not in custody.verified
            and client_match(h, org) in ("address", "name")
        ]
    elif custody.direct_client is not None:
        chosen = [h for h in trace.hops if h.index == custody.direct_client]
    out = Targets()
    for hop in chosen:
        by = hop.server.host or hop.server.ip or "an unnamed server"
        if hop.client.ip is None:
            out = out.merge(
                Targets(
                    notes=(
                        Note(
                            hop.client.rdns or hop.client.helo or f"hop {hop.index}",
                            f"{label}: hop {hop.index} ({by}) recorded our server without "
                            "an address",
                        ),
                    )
                )
            )
            continue
        source = f"{label}: hop {hop.index}, client of {by}"
        out = out.merge(_address_target(hop.client.ip, source, (hop.raw,)))
    if not chosen:
        out = out.merge(
            Targets(
                notes=(
                    Note(
                        label,
                        "no hop above our verified hops recorded a client of ours"
                        + (f" ({custody.missing})" if custody.missing else ""),
                    ),
                )
            )
        )
    return out
