"""Chain of custody: which hops our servers verifiably wrote, and where the message entered.

Walk the chain from the top (newest). Hops written by the complainant's servers (every hop
above our topmost hop) are taken as written. A hop written by one of our servers counts as
**ours** only where custody is verified: it is the top of the chain, or the hop above it
recorded a client that is ours (an address in our networks, a loopback content filter, or
a name of ours where the address is hidden or private), or a listed relay whose own hop
recorded such a client. Below a client of ours, a header whose ``by`` is a server the
organisation configured (``servers``, or a ``by`` address in ``networks``) stays ours even
when its name does not match the client's (split tiers: in on one machine, out on another).
The **entry hop** is the oldest verified hop of ours.

A private address (RFC 1918, CGNAT, link-local, unique-local, loopback) in ``networks`` is
ours only in a hop the walk already reached: ``10.0.0.0/8`` is everybody's, and a 10.x
client recorded by another organisation's server is their machine.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from headertrace.addresses import is_internal, is_loopback
from headertrace.judge.chain import custody_holds
from headertrace.judge.org import Organisation
from headertrace.models import Hop

ClientMatch = Literal["address", "loopback", "name", "relay"]


@dataclass(frozen=True, slots=True)
class Custody:
    """The result of the walk. Indices are chronological (``Hop.index``)."""

    verified: tuple[int, ...] = ()
    """Hops of ours whose custody is verified, newest first."""
    entry: int | None = None
    """The oldest verified hop of ours."""
    relay_hops: tuple[int, ...] = ()
    """Hops written by listed relays below the entry hop, taken as written."""
    named: tuple[int, ...] = ()
    """Every hop whose ``by`` names one of our servers or addresses."""
    unverified: tuple[int, ...] = ()
    """Hops naming our server that custody does not reach: forged or claims."""
    handed_out: int | None = None
    """A hop above ours whose client is ours: our server handed the message outside."""
    by_name: bool = False
    """Custody rested on a name match somewhere (no address to compare)."""
    missing: str | None = None
    """What kept custody from being decided (hidden addresses, unparsed hops)."""
    direct_client: int | None = None
    """No hop of ours, but a hop taken as written recorded one of our addresses as client."""
    by_configuration: tuple[tuple[int, int], ...] = ()
    """Steps taken on the configuration rather than a name match: (the hop that recorded a
    client of ours, the hop below it whose ``by`` is a configured server)."""


def ours_by_address(ip: str | None, org: Organisation, *, reached: bool) -> bool:
    """An address in our networks, as recorded in a hop. ``reached``: the hop was written by
    one of our servers that the custody walk already reached. Only there can a private
    address be ours; anywhere else it is the machine of whoever recorded it."""
    return ip is not None and org.is_our_address(ip) and (reached or not is_internal(ip))


def is_our_hop(hop: Hop, org: Organisation) -> bool:
    """Written by one of our servers (by name or global address: a private ``by`` address is
    anybody's until custody reaches the hop)."""
    return org.is_our_server(hop.server.host) or ours_by_address(hop.server.ip, org, reached=False)


def is_configured_hop(hop: Hop, org: Organisation) -> bool:
    """Written by a server the organisation listed: a ``servers`` name, or a global ``by``
    address in our networks. The hop is not reached yet, so a private ``by`` address is
    not enough (every machine inside has one)."""
    return org.is_configured_server(hop.server.host) or ours_by_address(
        hop.server.ip, org, reached=False
    )


def is_relay_hop(hop: Hop, org: Organisation) -> bool:
    return org.is_relay(hop.server.host) or org.is_relay(hop.server.ip)


def server_client(hop: Hop, org: Organisation) -> bool:
    """The client of ours this hop recorded looks like one of our servers: a global address
    in our networks (egress addresses are listed one by one), or a server name of ours as
    its rDNS or HELO. A private address alone is not enough: desktops and laptops have
    those too, and one that writes a header naming our relay must not move the blame."""
    c = hop.client
    if c.ip is not None and not is_internal(c.ip) and org.is_our_address(c.ip):
        return True
    rdns = c.rdns if c.rdns_status == "present" else None
    return org.is_our_server(rdns) or org.is_our_server(c.said_helo)


def client_match(hop: Hop, org: Organisation, *, reached: bool = False) -> ClientMatch | None:
    """How (if at all) the client this hop recorded is ours. ``reached``: the hop is one of
    our verified hops (see :func:`ours_by_address`)."""
    c = hop.client
    if hop.kind not in ("relay", "fetch", "unknown"):
        return None
    if c.ip is not None:
        if ours_by_address(c.ip, org, reached=reached):
            return "address"
        if is_loopback(c.ip):
            return "loopback"
        if org.is_relay(c.ip):
            return "relay"
    if org.is_relay(c.rdns) or (c.ip is None and org.is_relay(c.helo)):
        return "relay"
    if org.is_our_server(c.rdns) and c.rdns_status == "present":
        if c.ip is None or is_internal(c.ip) or not org.networks:
            return "name"
        return None  # a public address outside our networks: the name is not enough
    if org.is_our_server(c.helo) and (
        c.ip is None or is_internal(c.ip) or (not org.networks and c.rdns_status == "not_recorded")
    ):
        return "name"
    return None


def same_server(older: Hop, newer: Hop) -> bool | None:
    """Whether the server that wrote ``older`` is the client ``newer`` recorded.

    Stricter than :func:`headertrace.judge.chain.custody_holds`: same address, same name
    or same first label; a registered domain in common is not enough (any host under our
    domain would pass). ``None`` when there is nothing to compare.
    """
    c = newer.client
    if c.ip is not None and is_loopback(c.ip):
        return True  # the same machine: a content filter or a local program
    if c.ip is not None and older.server.ip is not None and c.ip == older.server.ip:
        return True
    host = (older.server.host or "").lower().rstrip(".")
    names = {n.lower().rstrip(".") for n in (c.helo, c.rdns) if n and not n.startswith("[")}
    if not host or host in ("localhost", "unknown") or not names:
        return None
    if host in names:
        return True
    label = host.split(".", 1)[0]
    return any(n.split(".", 1)[0] == label for n in names)


def _same_machine(older: Hop, newer: Hop) -> bool:
    """``older`` was written by the machine that wrote ``newer`` or by the client it named:
    the same ``by`` address, or a ``by`` name equal (or equal in its first label, as
    Microsoft 365's X.outlook.office365.com and X.prod.outlook.com are) to newer's ``by``,
    HELO or rDNS."""
    if older.server.ip is not None and older.server.ip == newer.server.ip:
        return True
    host = (older.server.host or "").lower().rstrip(".")
    if not host or host.startswith("["):
        return False
    c = newer.client
    names = {(n or "").lower().rstrip(".") for n in (newer.server.host, c.helo, c.rdns)}
    label = host.split(".", 1)[0]
    return any(n == host or (n and n.split(".", 1)[0] == label) for n in names)


def _same_address(older: Hop, newer: Hop) -> bool:
    """``older``'s ``by`` address is the client address ``newer`` recorded (a webmail
    application server that submits to our mail-out over authenticated SMTP)."""
    return older.server.ip is not None and older.server.ip == newer.client.ip


def client_hidden(hop: Hop) -> bool:
    """The hop recorded no usable client (no address and no name), or was not parsed."""
    c = hop.client
    return hop.status == "unparsed" or (c.ip is None and not c.helo and not c.rdns)


def _anonymous_local(hop: Hop) -> bool:
    """A local submission header that names no server (qmail's ``invoked by uid 48``)."""
    return hop.server.host is None and hop.server.ip is None and hop.kind == "local"


def _this_machine(hop: Hop) -> bool:
    """Written by a process that names the machine only as localhost (a content filter)."""
    host = (hop.server.host or "").lower().rstrip(".")
    ip = hop.server.ip
    return (
        host in ("", "localhost", "localhost.localdomain")
        and (ip is None or is_loopback(ip))
        and hop.kind in ("relay", "local", "unknown")
    )


def _ours_at(newest_first: Sequence[Hop], pos: int, org: Organisation) -> bool:
    hop = newest_first[pos]
    if is_our_hop(hop, org):
        return True
    # a header naming no server, just below a hop that recorded a client of ours
    return (
        _anonymous_local(hop)
        and pos > 0
        and client_match(newest_first[pos - 1], org) in ("address", "name")
    )


def walk(hops: Sequence[Hop], org: Organisation) -> Custody:
    """Walk the chain from the top and find the verified hops of ours and the entry hop."""
    named = tuple(h.index for h in reversed(hops) if is_our_hop(h, org))
    newest_first = list(reversed(hops))
    # 1. the complainant's hops, taken as written, down to our topmost hop
    pos = _topmost_ours(newest_first, org)
    for hop in newest_first[: max(pos - 1, 0)]:
        if client_match(hop, org) == "address":
            # one of our addresses handed it to an outside server, and the header below is
            # not one of ours: that address is where it came from; the rest are claims
            return Custody(named=named, unverified=named, direct_client=hop.index)
    if pos == len(newest_first):
        return Custody(named=named, direct_client=_our_address_as_client(newest_first, org))
    top = newest_first[pos]
    by_name = False
    handed_out: int | None = None
    steps: tuple[tuple[int, int], ...] = ()
    if pos > 0:
        above = newest_first[pos - 1]
        refused = _top_refused(top, above, org, named)
        if isinstance(refused, Custody):
            return refused
        steps = refused
        by_name = client_match(above, org) == "name"
        handed_out = above.index
    # 2. down through our own hops while the hop above recorded a client of ours
    down = _walk_down(newest_first, pos, org)
    entry = down.verified[-1]
    return Custody(
        verified=down.verified,
        entry=entry,
        relay_hops=down.relay_hops,
        named=named,
        unverified=tuple(i for i in named if i not in down.verified and i < entry),
        handed_out=handed_out,
        by_name=by_name or down.by_name,
        missing=down.missing,
        by_configuration=steps + down.by_configuration,
    )


def _topmost_ours(newest_first: Sequence[Hop], org: Organisation) -> int:
    """The position of our topmost hop, newest first (``len`` when there is none)."""
    return next(
        (pos for pos in range(len(newest_first)) if _ours_at(newest_first, pos, org)),
        len(newest_first),
    )


def _our_address_as_client(newest_first: Sequence[Hop], org: Organisation) -> int | None:
    """Nothing of ours wrote a header: the newest hop taken as written that recorded one of
    our addresses as its client."""
    return next(
        (h.index for h in newest_first if ours_by_address(h.client.ip, org, reached=False)),
        None,
    )


def _top_refused(
    top: Hop, above: Hop, org: Organisation, named: tuple[int, ...]
) -> Custody | tuple[tuple[int, int], ...]:
    """Custody of our topmost hop ``top`` when the hop above did not vouch for it (its
    client is not ours, or not the server that wrote ``top``); when it did, the step taken
    on the configuration, if that is what it rested on."""
    match = client_match(above, org)
    if match is None:
        missing = None
        if client_hidden(above):
            missing = (
                f"hop {above.index} (above our server's header) records no client "
                "address or name, so custody cannot be checked"
            )
        return Custody(named=named, unverified=named, missing=missing)
    if same_server(top, above) is False:
        if server_client(above, org) and is_configured_hop(top, org):
            return ((above.index, top.index),)  # split tiers: out on another machine
        # one of our addresses handed it straight out; the header below it does not
        # match that client, so it is a claim
        direct = above.index if match == "address" else None
        return Custody(named=named, unverified=named, direct_client=direct)
    return ()


@dataclass(frozen=True, slots=True)
class _Descent:
    """Our verified hops from the topmost down (newest first), and what stopped the walk."""

    verified: tuple[int, ...]
    relay_hops: tuple[int, ...] = ()
    by_name: bool = False
    missing: str | None = None
    by_configuration: tuple[tuple[int, int], ...] = ()


def _walk_down(newest_first: Sequence[Hop], pos: int, org: Organisation) -> _Descent:
    """From our topmost hop at ``pos``, down while the hop above recorded a client of ours
    that is the server that wrote the hop below."""
    verified = [newest_first[pos].index]
    by_name = False
    steps: list[tuple[int, int]] = []
    k = pos
    while k + 1 < len(newest_first):
        newer, older = newest_first[k], newest_first[k + 1]
        if newer.kind == "local":
            break
        match = client_match(newer, org, reached=True)
        if match is None:
            missing = None
            if client_hidden(newer) and is_our_hop(older, org):
                missing = (
                    f"hop {newer.index} records no client address or name, so custody "
                    f"of hop {older.index} below it cannot be checked"
                )
            return _Descent(
                tuple(verified), by_name=by_name, missing=missing, by_configuration=tuple(steps)
            )
        if match == "relay":
            relays = _relay_hops(newest_first, k, org)
            return _Descent(
                tuple(verified), relay_hops=relays, by_name=by_name, by_configuration=tuple(steps)
            )
        if newer.auth.authenticated is True and not (
            server_client(newer, org) or _same_address(older, newer)
        ):
            break  # a user logged in from their own machine: what it wrote below is a claim
        step = _older_is_ours(older, newer, match, org)
        if step is None:
            break
        if step == "configuration":
            steps.append((newer.index, older.index))
        by_name = by_name or match == "name"
        verified.append(older.index)
        k += 1
    return _Descent(tuple(verified), by_name=by_name, by_configuration=tuple(steps))


def _relay_hops(newest_first: Sequence[Hop], k: int, org: Organisation) -> tuple[int, ...]:
    """A listed relay handed it to the hop at ``k``: its hops below, taken as written."""
    newer = newest_first[k]
    relay_hops: list[int] = []
    j = k + 1
    while j < len(newest_first) and (
        is_relay_hop(newest_first[j], org)
        or (j == k + 1 and custody_holds(newest_first[j], newer) is True)
    ):
        relay_hops.append(newest_first[j].index)
        j += 1
    return tuple(relay_hops)


def _older_is_ours(
    older: Hop, newer: Hop, match: ClientMatch, org: Organisation
) -> Literal["match", "configuration"] | None:
    """Whether ``older`` was written by the client of ours that ``newer`` recorded: by a
    match of address or name, or on the configuration alone; ``None`` when it was not."""
    if match == "loopback" and not (
        _this_machine(older)
        or _anonymous_local(older)
        or _same_machine(older, newer)
        or org.is_configured_server(older.server.host)
    ):
        # A loopback client is the machine that wrote ``newer``: the header below is that
        # machine's own (a content filter's loop), under one of its names or another name
        # the administrator listed, not any name under our domains. Without this, a
        # program on the server could submit lines naming our other servers.
        return None
    same = same_server(older, newer)
    ours_below = (
        is_our_hop(older, org)
        or _anonymous_local(older)
        or (match == "loopback" and _this_machine(older))
        # The client we recorded is ours, and it is the machine that wrote the header
        # below (same address or same host label) even if it names itself under
        # another domain: Microsoft 365's X.outlook.office365.com is X.prod.outlook.com.
        or (match in ("address", "name") and same is True)
    )
    if ours_below and same is not False:
        return "match"
    # Split tiers: the client of ours handed it on from a machine that is not the one it
    # names, but the client looks like a server of ours and the header below was written
    # by a server the administrator listed. Merely a name under our domains is not enough
    # for the header below: any machine of ours can take one.
    if (
        same is False
        and match in ("address", "name")
        and server_client(newer, org)
        and is_configured_hop(older, org)
    ):
        return "configuration"
    return None
