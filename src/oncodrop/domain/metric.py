"""A sample-level metric (TMB, MSI, …) that may be not computable."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Metric:
    """A metric that may be not computable; then ``value`` is None and ``note`` says why."""

    name: str
    value: float | None
    unit: str = ""
    note: str = ""
    details: dict[str, float | int | str | None] = field(default_factory=dict)

    @property
    def computable(self) -> bool:
        return self.value is not None
