"""The verbal probability scale: ICD 203 bands, extended with Chinese hedges.

>>> band("大概率")
VerbalTerm(term='大概率', language='zh', low=0.8, high=0.95, point=0.875)
>>> band("very likely").contains(0.9)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

__all__ = ["VerbalTerm", "band", "scale", "SCALE_SOURCE"]

SCALE_SOURCE = "ODNI ICD 203 (2015), extended with Chinese hedges by forecastbook"


@dataclass(frozen=True)
class VerbalTerm:
    term: str
    language: str
    low: float
    high: float
    point: float

    def contains(self, probability: float) -> bool:
        return self.low <= probability <= self.high


@lru_cache(maxsize=1)
def scale() -> dict[str, VerbalTerm]:
    """Every term (and alias) of the scale, keyed by its lowercase spelling."""
    text = resources.files("forecastbook").joinpath("data/verbal_scale.yaml").read_text("utf-8")
    out: dict[str, VerbalTerm] = {}
    for row in yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["terms"]:
        low, high = row["band"]
        for name in [row["term"], *row.get("also", [])]:
            out[name.lower()] = VerbalTerm(row["term"], row["language"], low, high, row["point"])
    return out


def band(words: str) -> VerbalTerm | None:
    """The scale's term for ``words`` (exact, case-insensitive), or None if it has none."""
    return scale().get(words.strip().lower())
