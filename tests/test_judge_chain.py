"""The chain without an organisation, against the readings it replaced: ``custody_holds``
with its tests reordered (cheapest first, names as a list) and ``infer_origin`` with its
tests merged must give what they gave, on every corpus chain and on generated hops."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from headertrace.addresses import is_internal, is_loopback, registered_domain
from headertrace.intake import open_complaint
from headertrace.judge.chain import custody_holds, infer_origin
from headertrace.models import Auth, Client, Hop, HopKind, Origin, Server, received
from headertrace.parse.headers import split_header_block
from headertrace.tracing import MAX_RECEIVED, hops_from_values


def _reference_names(hop: Hop) -> set[str]:
    c = hop.client
    return {n.lower().rstrip(".") for n in (c.helo, c.rdns) if n and not n.startswith("[")}


def _reference_holds(older: Hop, newer: Hop) -> bool | None:
    """custody_holds as it was (main at 54e92ba)."""
    by = older.server
    if newer.kind not in ("relay", "fetch") or older.kind == "fetch":
        return None
    client = newer.client
    if by.ip is not None and client.ip is not None and by.ip == client.ip:
        return True
    names = _reference_names(newer)
    host = (by.host or "").lower().rstrip(".")
    if not host or not names or host in ("localhost", "unknown"):
        return None
    if client.ip is not None and is_loopback(client.ip):
        return None
    if host in names:
        return True
    label = host.split(".", 1)[0]
    if any(n.split(".", 1)[0] == label for n in names):
        return True
    domain = registered_domain(host)
    return domain is not None and any(registered_domain(n) == domain for n in names)


def _reference_origin(hops: Sequence[Hop]) -> Origin | None:
    """infer_origin as it was (main at 54e92ba)."""

    def origin(hop: Hop, reason: str) -> Origin:
        c = hop.client
        return Origin(hop.index, c.ip, c.rdns, c.said_helo, reason, received(hop.raw))

    oldest_trusted: Hop | None = None
    for hop in reversed(hops):
        if hop.client.ip is None or hop.kind not in ("relay", "fetch"):
            continue
        if hop.kind == "fetch":
            continue
        if is_internal(hop.client.ip) or hop.auth.authenticated:
            oldest_trusted = hop
            continue
        return origin(
            hop, "first outside client below the recipient's servers that did not authenticate"
        )
    if oldest_trusted is None:
        return None
    if oldest_trusted.auth.authenticated:
        return origin(oldest_trusted, "authenticated submission: the client logged in to send")
    return origin(oldest_trusted, "every recorded client is internal; this is the oldest one")


@pytest.mark.corpus
def test_corpus_chains_judged_as_before(corpus: Path) -> None:
    pairs = 0
    for path in sorted((corpus / "messages").rglob("*.eml")):
        for reported in open_complaint(path.read_bytes()).reported:
            block = split_header_block(reported.raw)
            hops = hops_from_values(block.get_all("Received")[:MAX_RECEIVED])
            assert infer_origin(hops) == _reference_origin(hops), path
            for older, newer in pairwise(hops):
                assert custody_holds(older, newer) == _reference_holds(older, newer), path
                pairs += 1
    assert pairs > 10_000


NAMES = [None, "", "mx.example.com", "MX.Example.COM.", "mx", "smtp.example.com", "[192.0.2.1]"]
NAMES += ["localhost", "unknown", "mail.other.example", "a.b.example.co.uk", "."]
IPS = [None, "192.0.2.1", "127.0.0.1", "::1", "10.1.2.3", "2001:db8::1", "198.51.100.7"]
KINDS: list[HopKind] = ["relay", "fetch", "local", "unknown"]


@st.composite
def hops(draw: st.DrawFn, index: int) -> Hop:
    return Hop(
        index=index,
        header_index=0,
        raw=f"hop {index}",
        kind=draw(st.sampled_from(KINDS)),
        client=Client(
            helo=draw(st.sampled_from(NAMES)),
            rdns=draw(st.sampled_from(NAMES)),
            ip=draw(st.sampled_from(IPS)),
            helo_inferred=draw(st.booleans()),
        ),
        server=Server(host=draw(st.sampled_from(NAMES)), ip=draw(st.sampled_from(IPS))),
        auth=Auth(authenticated=draw(st.sampled_from([None, False, True]))),
    )


@given(hops(0), hops(1))
def test_generated_custody_as_before(older: Hop, newer: Hop) -> None:
    assert custody_holds(older, newer) == _reference_holds(older, newer)


@given(st.integers(0, 6).flatmap(lambda n: st.tuples(*map(hops, range(n)))))
def test_generated_origin_as_before(chain: tuple[Hop, ...]) -> None:
    assert infer_origin(chain) == _reference_origin(chain)
