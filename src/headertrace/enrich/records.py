"""Attribution records (placeholder until the attribution work lands)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who owns a hop's client address and names."""

    ip_class: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ip_class": self.ip_class}
