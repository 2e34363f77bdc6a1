"""Frozen slotted dataclasses, built faster: the same records.

The ``__init__`` that ``@dataclass(frozen=True)`` writes must get past the class's own
``__setattr__`` (which refuses), so it stores each field with
``object.__setattr__(self, "name", value)``: a generic store that looks the name up on the
class, for every field of every record. ``trace`` builds about 25 records a message
(``Evidence``, ``Finding``, ``Verdict``, ``Trace``, ``Attribution``...) and copies two with
``dataclasses.replace``; a sampling profile over the corpus found 5% of its time in those
``__init__`` (their own time) and 1.4% in ``replace``.

- :func:`fast_init`, a class decorator, gives a record an ``__init__`` of the same
  signature that stores each field through its slot's own descriptor (the store
  ``object.__setattr__`` ends in, without the lookup).
- :func:`replace` is ``dataclasses.replace``, filling a new record in one generated
  function instead of going through ``__init__`` by keyword.
- :func:`slot_filler` writes such functions: it fills an instance of a plain twin class of
  the same slots (plain attribute stores) and then gives it the record's class.

The records do not change: fields, ``==``, hash, repr, pickling, ``__match_args__``,
JSON, frozen (``tests/test_frozen.py`` builds each both ways).

Pure: no I/O, no imports from the rest of headertrace.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

_Record = TypeVar("_Record")

DATACLASS_INITS: dict[type, Callable[..., None]] = {}
"""The ``__init__`` that ``dataclass`` wrote, by record given :func:`fast_init`: what the
tests compare the fast one with."""
_REPLACERS: dict[type, Callable[..., Any]] = {}
_KEEP = object()
"""The default of every keyword of a replacer: "not given, keep the record's value"."""


def slot_filler(
    cls: type[_Record],
    name: str,
    params: str,
    values: Sequence[str],
    defaults: dict[str, Any] | None = None,
) -> Callable[..., _Record]:
    """A function ``name(params)`` returning a new ``cls`` whose fields, in field order,
    hold ``values`` (expressions over ``params``; ``defaults``: names they may use).

    It fills an instance of a plain twin class with the same slots (plain attribute
    stores, which the interpreter specialises), then gives it its class: ``__class__``
    may be assigned between classes of the same slots. A ``Hop`` in about 5,300 machine
    instructions instead of 32,600 with ``__init__`` and 15,500 with each slot's own
    setter (cachegrind); the direct readers build one for every Received header they
    take (``models.new_hop``)."""
    names = [f.name for f in dataclasses.fields(cast("Any", cls))]
    twin = type(f"_{cls.__name__}Twin", (), {"__slots__": cast("Any", cls).__slots__})
    body = "".join(f"    new.{n} = {v}\n" for n, v in zip(names, values, strict=True))
    source = (
        f"def {name}({params}):\n    new = _new(_twin)\n{body}"
        "    new.__class__ = _cls\n    return new\n"
    )
    namespace: dict[str, Any] = {"_new": object.__new__, "_twin": twin, "_cls": cls}
    namespace.update(defaults or {})
    exec(source, namespace)  # what dataclasses does to write __init__
    return cast("Callable[..., _Record]", namespace[name])


def fast_init(cls: type[_Record]) -> type[_Record]:
    """Class decorator, above ``@dataclass(frozen=True, slots=True)``: the record's
    ``__init__`` stores each field through its slot's descriptor, and :func:`replace`
    copies it with one generated function.

    The new ``__init__`` takes what the dataclass one takes: the same parameters, in the
    same order and kinds, with the very same default objects (a field with a
    ``default_factory`` has dataclasses' sentinel, and the factory is called when it is
    passed), and the same annotations and name. An ``Evidence(text, kind)`` in about 3,700
    machine instructions instead of 5,100, a ``Finding`` by keyword in 8,200 instead of
    11,700, a ``MessageInfo`` in 9,400 instead of 13,500 (cachegrind, the call included):
    ``Cls(...)`` itself (allocation, passing the keywords) costs most of the rest."""
    generated = cls.__init__
    fields = _supported_fields(cls)
    namespace: dict[str, Any] = {}
    params = ["self"]
    for p in list(inspect.signature(generated).parameters.values())[1:]:
        if p.kind is p.KEYWORD_ONLY and "*" not in params:
            params.append("*")
        if p.default is p.empty:
            params.append(p.name)
        else:
            params.append(f"{p.name}=_default_{p.name}")
            namespace[f"_default_{p.name}"] = p.default
    body = []
    for f in fields:
        if f.default_factory is not dataclasses.MISSING:
            # The default is dataclasses' "no value" sentinel, as in the generated __init__.
            body.append(f"    if {f.name} is _default_{f.name}:\n")
            body.append(f"        {f.name} = _factory_{f.name}()\n")
            namespace[f"_factory_{f.name}"] = f.default_factory
        body.append(f"    _set_{f.name}(self, {f.name})\n")
        # The slot's member descriptor: what object.__setattr__ finds and calls.
        namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
    exec(f"def __init__({', '.join(params)}):\n{''.join(body)}", namespace)
    init = namespace["__init__"]
    init.__qualname__ = generated.__qualname__
    init.__module__ = generated.__module__
    init.__annotations__ = dict(generated.__annotations__)
    DATACLASS_INITS[cls] = generated
    cls.__init__ = init  # type: ignore[method-assign]
    names = [f.name for f in fields]
    _REPLACERS[cls] = slot_filler(
        cls,
        f"_replace_{cls.__name__}",
        "record, /, *, " + ", ".join(f"{n}=_keep" for n in names),
        [f"record.{n} if {n} is _keep else {n}" for n in names],
        {"_keep": _KEEP},
    )
    return cls


def _supported_fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    """The fields of a frozen slotted dataclass whose ``__init__`` only stores them: what
    :func:`fast_init` and the twin class can redo. Anything else is refused at import."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: fast_init needs @dataclass(frozen=True, slots=True)")
    fields = dataclasses.fields(cls)
    taken = list(inspect.signature(cls).parameters)
    if (
        cls.__bases__ != (object,)  # the twin class must have the very same layout
        or hasattr(cls, "__post_init__")
        or sorted(taken) != sorted(f.name for f in fields)  # init=False fields, InitVars
    ):
        raise TypeError(f"{cls.__name__}: fast_init redoes only an __init__ that stores fields")
    return fields


def replace(record: _Record, /, **changes: Any) -> _Record:
    """``dataclasses.replace(record, **changes)``: a new record with ``changes`` and the
    other fields of ``record``. For a record given :func:`fast_init`, one generated
    function fills it (a ``Trace`` with two fields changed in about 9,300 machine
    instructions instead of 28,300, cachegrind); any other dataclass goes to
    ``dataclasses.replace``."""
    fill = _REPLACERS.get(type(record))
    if fill is None:
        return cast("_Record", dataclasses.replace(cast("Any", record), **changes))
    return cast("_Record", fill(record, **changes))
