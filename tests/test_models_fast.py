"""The fast builders of ``headertrace.models`` give the records the dataclass constructor does.

``new_hop`` (what the direct readers build each hop with), ``new_client``, ``new_server``
and ``Hop.with_attribution`` fill a twin class of the same slots and then give the
instance its class, instead of the dataclass ``__init__``; the records must be the same:
equal, with the same hash, repr and pickled form, of the same class and as frozen, on
every golden header, every corpus header and generated field values.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import pickle
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from headertrace.enrich.offline import attribute_offline
from headertrace.intake import open_complaint
from headertrace.models import (
    TLS,
    Auth,
    Client,
    Hop,
    HopBuilder,
    Server,
    new_client,
    new_hop,
    new_server,
)
from headertrace.parse.headers import split_header_block
from headertrace.parse.received import parse_received_general

GOLDEN = Path(__file__).parent / "fixtures" / "received" / "golden.jsonl"
HEADERS = [
    json.loads(line)["header"] for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line
]
FIELDS = [f.name for f in dataclasses.fields(Hop)]


def _values(hop: Hop) -> list[Any]:
    return [getattr(hop, name) for name in FIELDS]


def _assert_same(fast: Hop, slow: Hop, *, deep: bool = True) -> None:
    assert type(fast) is Hop
    assert fast == slow
    assert hash(fast) == hash(slow)
    assert repr(fast) == repr(slow)
    if not deep:
        return
    assert pickle.loads(pickle.dumps(fast)) == slow
    assert pickle.dumps(fast) == pickle.dumps(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.raw = "changed"  # type: ignore[misc]


def _check(hop: Hop, *, deep: bool = True) -> None:
    """``deep``: pickling and the frozen check too (the corpus test leaves them to the
    golden and generated hops: they depend on the class, not on the values)."""
    values = _values(hop)
    _assert_same(new_hop(*values), Hop(**dict(zip(FIELDS, values, strict=True))), deep=deep)
    attribution = attribute_offline(hop)
    copied = dataclasses.replace(hop, attribution=attribution)
    _assert_same(hop.with_attribution(attribution), copied, deep=deep)
    _assert_same(hop.with_attribution(None), dataclasses.replace(hop, attribution=None), deep=deep)
    if deep:
        _check_client(hop.client)
        _check_server(hop.server)


def _check_client(client: Client) -> None:
    given = {f.name: getattr(client, f.name) for f in dataclasses.fields(Client)}
    fast, slow = new_client(**given), Client(**given)
    assert type(fast) is Client
    assert (fast, hash(fast), repr(fast)) == (slow, hash(slow), repr(slow))
    assert pickle.dumps(fast) == pickle.dumps(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.ip = "192.0.2.1"  # type: ignore[misc]
    for name, value in given.items():  # each keyword alone, the others left to default
        assert new_client(**{name: value}) == Client(**{name: value})


def _check_server(server: Server) -> None:
    given = {f.name: getattr(server, f.name) for f in dataclasses.fields(Server)}
    fast, slow = new_server(**given), Server(**given)
    assert type(fast) is Server
    assert (fast, hash(fast), repr(fast)) == (slow, hash(slow), repr(slow))
    assert pickle.dumps(fast) == pickle.dumps(slow)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.host = "x"  # type: ignore[misc]
    for name, value in given.items():
        assert new_server(**{name: value}) == Server(**{name: value})


def test_the_client_and_server_builders_take_the_constructors_parameters() -> None:
    for fast, slow in ((new_client, Client), (new_server, Server)):
        built = inspect.signature(fast).parameters
        declared = inspect.signature(slow).parameters
        assert [(p.name, p.default) for p in built.values()] == [
            (p.name, p.default) for p in declared.values()
        ]
        assert fast() == slow()


def test_the_builder_takes_every_field_in_field_order() -> None:
    parameters = list(inspect.signature(HopBuilder.__call__).parameters)
    assert parameters == ["self", *FIELDS]
    assert list(inspect.signature(new_hop).parameters) == FIELDS


def test_golden_hops_built_fast_equal_the_dataclass_ones() -> None:
    for header in HEADERS:
        _check(parse_received_general(header, index=3, header_index=2))


_TEXT = st.text(max_size=12)
_OPTIONAL_TEXT = st.none() | _TEXT
_ZONES = st.sampled_from([timezone.utc, timezone(timedelta(hours=-7)), timezone(timedelta(0))])


@given(
    st.builds(
        Hop,
        index=st.integers(),
        header_index=st.integers(),
        raw=_TEXT,
        client=st.builds(
            Client, helo=_OPTIONAL_TEXT, ip=_OPTIONAL_TEXT, port=st.none() | st.integers()
        ),
        server=st.builds(Server, host=_OPTIONAL_TEXT, software=_OPTIONAL_TEXT),
        protocol=_OPTIONAL_TEXT,
        via=_OPTIONAL_TEXT,
        id=_OPTIONAL_TEXT,
        recipient=_OPTIONAL_TEXT,
        envelope_from=_OPTIONAL_TEXT,
        tls=st.none() | st.builds(TLS, _OPTIONAL_TEXT, _OPTIONAL_TEXT),
        auth=st.builds(Auth, st.none() | st.booleans(), _OPTIONAL_TEXT),
        timestamp=st.none() | st.datetimes(timezones=_ZONES),
        timestamp_raw=_OPTIONAL_TEXT,
        delay_seconds=st.none() | st.floats(allow_nan=False),
        kind=st.sampled_from(["relay", "local", "fetch", "unknown"]),
        status=st.sampled_from(["parsed", "partial", "unparsed"]),
        defects=st.lists(_TEXT, max_size=3).map(tuple),
    )
)
def test_generated_hops_built_fast_equal_the_dataclass_ones(hop: Hop) -> None:
    _check(hop)


def test_a_hop_built_fast_is_a_plain_record() -> None:
    hop = new_hop(*_values(Hop(raw="x", timestamp=datetime(2024, 1, 1, tzinfo=timezone.utc))))
    assert (
        hop.to_dict() == Hop(raw="x", timestamp=datetime(2024, 1, 1, tzinfo=timezone.utc)).to_dict()
    )
    assert dataclasses.replace(hop, raw="y") == Hop(
        raw="y", timestamp=datetime(2024, 1, 1, tzinfo=timezone.utc)
    )


@pytest.mark.corpus
def test_corpus_hops_built_fast_equal_the_dataclass_ones(corpus: Path) -> None:
    checked = 0
    for path in sorted((corpus / "messages").rglob("*.eml")):
        for reported in open_complaint(path.read_bytes()).reported:
            for k, value in enumerate(split_header_block(reported.raw).get_all("Received")):
                _check(parse_received_general(value, index=k, header_index=k), deep=False)
                checked += 1
    assert checked > 40_000
