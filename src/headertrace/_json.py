"""The JSON form of the trace records, derived from their fields.

One rule for every record, so the schema is what the records say: a field becomes a key of
the same name, except the few that Python cannot spell (``JSON_NAMES``); nested records
become objects, tuples arrays, datetimes ISO 8601 strings. Field metadata says the rest:
``{"json": False}`` leaves a field out, ``{"json": "flatten"}`` writes a nested record's
keys into its parent (``Sender.owner``). A record's ``_json_computed`` class attribute adds
properties, each after the field it follows (``Client.helo_source`` after ``helo``).

Pure: no I/O, no imports from the rest of headertrace.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import datetime
from functools import cache
from typing import Any

JSON_NAMES: dict[str, dict[str, str]] = {
    "Hop": {"client": "from", "server": "by", "recipient": "for"},
    "MessageInfo": {"from_": "from"},
    "Wrapper": {"sender": "from"},
}
"""The renamed fields, by record: the Received grammar's ``from``, ``by`` and ``for``."""


@cache
def _plan(cls: type) -> tuple[tuple[str, str, str], ...]:
    """(attribute, key, how) for each key of ``cls``'s JSON object, in order; ``how`` is
    ``value`` or ``flatten``."""
    renamed = JSON_NAMES.get(cls.__name__, {})
    computed: dict[str, str] = getattr(cls, "_json_computed", {})
    after: dict[str, list[str]] = {}
    for prop, anchor in computed.items():
        after.setdefault(anchor, []).append(prop)
    plan: list[tuple[str, str, str]] = []
    for f in fields(cls):
        rule = f.metadata.get("json", True)
        if rule is False:
            continue
        how = "flatten" if rule == "flatten" else "value"
        plan.append((f.name, renamed.get(f.name, f.name), how))
        plan.extend((prop, prop, "value") for prop in after.get(f.name, ()))
    return tuple(plan)


def as_json_dict(record: Any) -> dict[str, Any]:
    """The JSON object of one record (a frozen dataclass of :mod:`headertrace.models`)."""
    out: dict[str, Any] = {}
    for attr, key, how in _plan(type(record)):  # type: ignore[arg-type]
        value = getattr(record, attr)
        if how == "flatten":
            if value is not None:
                out.update(as_json_dict(value))
        else:
            out[key] = as_json(value)
    return out


def as_json(value: Any) -> Any:
    """Any value a record holds, as JSON-safe data."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if getattr(type(value), "_json_leaf", False):
        return value.to_json()  # a record written as a bare value (Evidence: its text)
    if isinstance(value, (tuple, list)):
        return [as_json(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    if is_dataclass(value):
        return as_json_dict(value)
    return str(value)
