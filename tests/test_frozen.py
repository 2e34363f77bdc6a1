"""``headertrace._frozen``: every frozen record built by its fast ``__init__`` and copied by
the fast ``replace`` is the record the dataclass ``__init__`` and ``dataclasses.replace``
give: the same class, fields, ``==``, hash, repr, pickled form, frozen; the signature the
same; on generated field values, on every record of every corpus trace and complaint,
and on whole corpus traces (each built both ways).
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import pickle
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import headertrace
from headertrace import _frozen, models
from headertrace._frozen import DATACLASS_INITS, fast_init, replace
from headertrace.enrich import records
from headertrace.intake import model, open_complaint

MODULES = (models, records, model)
RECORDS = sorted(
    (
        cls
        for module in MODULES
        for cls in vars(module).values()
        if isinstance(cls, type)
        and cls.__module__ == module.__name__
        and dataclasses.is_dataclass(cls)
    ),
    key=lambda cls: cls.__qualname__,
)


def _slow(cls: type, *args: Any, **kwargs: Any) -> Any:
    """``cls(*args, **kwargs)`` with the ``__init__`` that ``dataclass`` wrote."""
    record: Any = object.__new__(cls)
    DATACLASS_INITS[cls](record, *args, **kwargs)
    return record


def _values(record: Any) -> dict[str, Any]:
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


def _assert_same(fast: Any, slow: Any, *, deep: bool = True) -> None:
    assert type(fast) is type(slow)
    assert fast == slow
    pairs = zip(_values(fast).values(), _values(slow).values(), strict=True)
    # The values given, stored as they are (a default_factory makes equal new ones).
    assert all(a is b or (type(a) is type(b) and a == b) for a, b in pairs)
    assert hash(fast) == hash(slow)
    assert repr(fast) == repr(slow)
    if not deep:
        return
    assert pickle.dumps(fast) == pickle.dumps(slow)
    assert pickle.loads(pickle.dumps(fast)) == slow
    name = dataclasses.fields(fast)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(fast, name, None)


def test_every_frozen_record_is_built_fast() -> None:
    assert len(RECORDS) > 25
    for cls in RECORDS:
        assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
        assert cls in DATACLASS_INITS, cls


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: cls.__name__)
def test_the_fast_init_takes_what_the_dataclass_one_takes(cls: type) -> None:
    fast, generated = cls.__dict__["__init__"], DATACLASS_INITS[cls]
    assert fast is not generated
    assert inspect.signature(fast) == inspect.signature(generated)
    # The very default objects: dataclasses' sentinel for a default_factory included.
    assert (fast.__defaults__ is None) == (generated.__defaults__ is None)
    pairs = zip(fast.__defaults__ or (), generated.__defaults__ or (), strict=True)
    assert all(a is b for a, b in pairs)
    given_kw, declared_kw = fast.__kwdefaults__ or {}, generated.__kwdefaults__ or {}
    assert given_kw.keys() == declared_kw.keys()
    assert all(given_kw[k] is declared_kw[k] for k in declared_kw)
    for name in ("__qualname__", "__module__", "__annotations__", "__doc__"):
        assert getattr(fast, name) == getattr(generated, name)
    positional = [f.name for f in dataclasses.fields(cls) if not f.kw_only]
    assert cls.__match_args__ == tuple(positional)  # type: ignore[attr-defined]


_VALUE = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=8)
    | st.tuples(st.text(max_size=4), st.integers())
)


def _check_built(cls: type, values: dict[str, Any]) -> None:
    _assert_same(cls(**values), _slow(cls, **values))
    positional = [f.name for f in dataclasses.fields(cls) if not f.kw_only]
    args = [values[name] for name in positional]
    keywords = {k: v for k, v in values.items() if k not in positional}
    _assert_same(cls(*args, **keywords), _slow(cls, *args, **keywords), deep=False)


def _required(cls: type) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: cls.__name__)
@settings(max_examples=40)  # per record: 28 of them
@given(data=st.data())
def test_generated_records_built_fast_equal_the_dataclass_ones(
    cls: type, data: st.DataObject
) -> None:
    names = [f.name for f in dataclasses.fields(cls)]
    values = data.draw(st.fixed_dictionaries(dict.fromkeys(names, _VALUE)))
    _check_built(cls, values)
    required = {name: values[name] for name in _required(cls)}
    _assert_same(cls(**required), _slow(cls, **required))  # defaults and factories
    for name in names:  # each other keyword alone
        one = {**required, name: values[name]}
        _assert_same(cls(**one), _slow(cls, **one))
    record = cls(**values)
    changes = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(names, _VALUE)))
    _assert_same(replace(record, **changes), dataclasses.replace(record, **changes))


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: cls.__name__)
def test_a_factory_default_is_made_anew_for_each_record(cls: type) -> None:
    required = dict.fromkeys(_required(cls), "x")
    for f in dataclasses.fields(cls):
        if f.default_factory is not dataclasses.MISSING:
            first, second = getattr(cls(**required), f.name), getattr(cls(**required), f.name)
            assert first == f.default_factory()
            assert type(first) is type(f.default_factory())
            if isinstance(first, dict):  # mutable: never shared between records
                assert first is not second


def _error(build: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    with pytest.raises(TypeError) as caught:
        build(*args, **kwargs)
    return str(caught.value)


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: cls.__name__)
def test_wrong_calls_fail_as_they_did(cls: type) -> None:
    names = [f.name for f in dataclasses.fields(cls)]
    required = dict.fromkeys(_required(cls), "x")
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        ((), {**required, "no_such_field": 1}),
        (("x",) * (len(names) + 1), {}),
    ]
    calls += [((), {k: v for k, v in required.items() if k != name}) for name in required]
    for args, kwargs in calls:
        assert _error(cls, *args, **kwargs) == _error(partial(_slow, cls), *args, **kwargs)
    with pytest.raises(TypeError):
        replace(cls(**required), no_such_field=1)


def test_replace_leaves_other_dataclasses_to_dataclasses() -> None:
    @dataclasses.dataclass(frozen=True)
    class Plain:
        a: int
        b: int = 2

    assert replace(Plain(1), b=3) == Plain(1, 3)


def test_fast_init_refuses_what_it_cannot_redo() -> None:
    @dataclasses.dataclass(frozen=True)
    class Unslotted:
        a: int

    @dataclasses.dataclass(slots=True)
    class Unfrozen:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Computed:
        a: int
        b: int = dataclasses.field(init=False, default=0)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            pass

    for cls in (Unslotted, Unfrozen, Computed, Checked):
        with pytest.raises(TypeError):
            fast_init(cls)


def _records(value: Any) -> Iterator[Any]:
    """Every record inside ``value``, ``value`` included, innermost first."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _records(getattr(value, f.name))
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _records(item)


@contextlib.contextmanager
def _dataclass_built() -> Iterator[None]:
    """Every record built by the ``__init__`` dataclass wrote, and ``replace`` going to
    ``dataclasses.replace``: the code before ``_frozen``."""
    fast = {cls: cls.__dict__["__init__"] for cls in DATACLASS_INITS}
    replacers = dict(_frozen._REPLACERS)
    try:
        for cls, init in DATACLASS_INITS.items():
            cls.__init__ = init  # type: ignore[misc]
        _frozen._REPLACERS.clear()
        yield
    finally:
        for cls, init in fast.items():
            cls.__init__ = init  # type: ignore[misc]
        _frozen._REPLACERS.update(replacers)


def test_a_trace_built_the_dataclass_way_is_the_same() -> None:
    message = (
        b"Received: from mail.example.org (mail.example.org [198.51.100.7])\r\n"
        b"\tby mx.example.com (Postfix) with ESMTPS id 4AB3C2\r\n"
        b"\tfor <bob@example.com>; Mon, 2 Oct 2023 12:00:00 +0000\r\n"
        b"Subject: hello\r\n\r\nbody\r\n"
    )
    fast = headertrace.trace(message)
    with _dataclass_built():
        assert DATACLASS_INITS[models.Trace] is models.Trace.__init__
        slow = headertrace.trace(message)
    assert models.Trace.__init__ is not DATACLASS_INITS[models.Trace]
    assert fast == slow
    assert fast.to_json() == slow.to_json()
    # Not the pickled bytes: which equal values are one object depends on the caches.
    assert pickle.loads(pickle.dumps(fast)) == slow


@pytest.mark.corpus
def test_corpus_records_built_fast_equal_the_dataclass_ones(corpus: Path) -> None:
    """Each corpus message traced both ways gives the same trace; each record in it and
    in its complaint, rebuilt from its fields and copied by ``replace``, is the same.
    Every fourth message, from every source: the records are built by one generated
    function per class, so what the whole corpus would add is time (two traces and two
    intakes a message, about two minutes on two cores), not new paths."""
    checked = set()
    for path in sorted((corpus / "messages").rglob("*.eml"))[::4]:
        data = path.read_bytes()
        fast = headertrace.trace(data)
        complaint = open_complaint(data)
        with _dataclass_built():
            slow = headertrace.trace(data)
            slow_complaint = open_complaint(data)
        assert fast == slow
        assert fast.to_dict() == slow.to_dict()
        assert complaint == slow_complaint
        for record in (*_records(fast), *_records(complaint)):
            cls, values = type(record), _values(record)
            _assert_same(cls(**values), _slow(cls, **values), deep=False)
            name = next(iter(values))
            copied = replace(record, **{name: values[name]})
            _assert_same(copied, dataclasses.replace(record, **{name: values[name]}), deep=False)
            checked.add(cls)
    assert {
        models.Trace,
        models.Hop,
        models.Finding,
        models.Evidence,
        records.Attribution,
    } <= checked
