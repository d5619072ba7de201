"""Read the CLD code-list seed and turn it into weighted pickers.

The generator never carries its own copy of a code list: every coded value it writes is looked up
here, so a value the seed does not hold fails loudly at start-up instead of leaking into a file.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from asc_warehouse.config import SEEDS_DIR

CODE_LIST_PATH = SEEDS_DIR / "cld_code_list.csv"
BLANK = ""


@dataclass(frozen=True, slots=True)
class Choice:
    """A fixed weighted choice; cumulative weights are precomputed because it is hot."""

    values: tuple[str, ...]
    cum_weights: tuple[float, ...]

    @classmethod
    def of(cls, weights: Mapping[str, float]) -> Choice:
        return cls(tuple(weights), tuple(accumulate(weights.values())))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum_weights)[0]


class CodeLists:
    """The allowed values of one release, by CLD field name."""

    def __init__(self, values: Mapping[str, Sequence[str]]) -> None:
        self._values = {field: tuple(codes) for field, codes in values.items()}

    @classmethod
    def load(cls, path: Path = CODE_LIST_PATH, release: str = "R2") -> CodeLists:
        values: dict[str, list[str]] = {}
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["release"] == release:
                    values.setdefault(row["cld_field_name"], []).append(row["code_value"])
        if not values:
            raise ValueError(f"{path} has no {release} rows")
        return cls(values)

    def values(self, field: str) -> tuple[str, ...]:
        try:
            return self._values[field]
        except KeyError:
            raise KeyError(f"the code list seed has no field {field!r}") from None

    def value(self, field: str, code: str) -> str:
        """Return ``code`` after checking the seed allows it for ``field``."""
        if code not in self.values(field):
            raise KeyError(f"{code!r} is not an allowed value of {field!r} in the code list seed")
        return code

    def starting_with(self, field: str, prefix: str) -> tuple[str, ...]:
        found = tuple(code for code in self.values(field) if code.startswith(prefix))
        if not found:
            raise KeyError(f"no value of {field!r} starts with {prefix!r}")
        return found

    def weighted(self, field: str, weights: Mapping[str, float], others: float = 0.0) -> Choice:
        """Weight named values (``BLANK`` allowed); ``others`` is shared by the remaining values."""
        named = dict(weights)
        for code in named:
            if code != BLANK:
                self.value(field, code)
        rest = [code for code in self.values(field) if code not in named]
        if others and rest:
            named.update(dict.fromkeys(rest, others / len(rest)))
        return Choice.of(named)
