"""Column maps: a catalogue's own headers mapped to scenario keys (``--columns MAP.toml``).

An ERP export names its columns its own way (``Material``, ``Annual demand``, ``Weight (g)``)
and in its own units (grams, prices per 100, weeks). A column map says, per header, which
scenario key the column gives and how to convert it, and gives fixed values for keys the
file lacks::

    [file]                               # optional: how the file is written
    delimiter = ";"                      # "," ";" "\\t" (default: detected)
    decimal = ","                        # "." or "," (default: detected)
    header_row = 3                       # default: found

    [columns]
    "Material" = "sku"
    "Annual demand" = "demand.rate_per_year"
    "Unit price" = { key = "methods.regular.price", unit = "per 100" }
    "Weight (g)" = { key = "part.weight_kg", unit = "g" }
    "Holding %" = { key = "storage.holding_per_part_year", scale = 0.01 }

    [fixed]                              # the same value for every SKU
    "methods.regular.shipping_days" = 0

A column's value is multiplied by its unit's factor (:data:`UNITS`) or by ``scale`` and then
checked by the key's rule. Columns the map does not name are carried through to the output
as text. :func:`suggest_map` writes a starting map from the headers of a file.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from amspares.errors import AmsparesError

#: Units a column may be given in, and the factor that turns them into the key's unit.
UNITS = {
    "g": 0.001, "gram": 0.001, "grams": 0.001, "kg": 1.0, "t": 1000.0, "lb": 0.45359237,
    "per piece": 1.0, "per 1": 1.0, "per 10": 0.1, "per 100": 0.01, "per 1000": 0.001,
    "days": 1.0, "weeks": 7.0, "months": 365.0 / 12.0, "years": 1.0,
    "percent": 0.01, "%": 0.01, "fraction": 1.0,
    "per year": 1.0, "per month": 12.0, "per week": 52.0,
}
DELIMITERS = {",": ",", ";": ";", "\\t": "\t", "\t": "\t", "tab": "\t"}
DECIMALS = (".", ",")


class ColumnMapError(AmsparesError):
    """A column map that cannot be used (its file, a key, a unit)."""


@dataclass(frozen=True)
class Mapped:
    """One mapped header: the key it gives, and the factor its values are multiplied by."""

    header: str
    key: str
    factor: float = 1.0
    unit: str = ""                 # the unit's name (or "scale = x"), for messages


@dataclass(frozen=True)
class ColumnMap:
    columns: Mapping[str, Mapped] = field(default_factory=dict)   # header -> Mapped
    fixed: Mapping[str, object] = field(default_factory=dict)     # key -> value
    delimiter: str | None = None
    decimal: str | None = None
    header_row: int | None = None
    source: str = ""

    def key_of(self, header: str) -> Mapped | None:
        return self.columns.get(header)


def _fail(source: str, where: str, value, rule: str) -> ColumnMapError:
    return ColumnMapError(f"column map {source!r}: {where} = {value!r}: {rule}")


def parse_map(data: Mapping, source: str = "<column map>") -> ColumnMap:
    """Validate a parsed column-map TOML document.

    >>> m = parse_map({"columns": {"Weight (g)": {"key": "part.weight_kg", "unit": "g"},
    ...                            "Material": "sku"}, "fixed": {"demand.service_years": 10}})
    >>> m.columns["Weight (g)"].factor, m.columns["Material"].key, dict(m.fixed)
    (0.001, 'sku', {'demand.service_years': 10})
    >>> parse_map({"columns": {"W": {"key": "part.weight_kg", "unit": "grams per"}}})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    amspares.portfolio.columnmap.ColumnMapError: column map '<column map>': columns.W.unit = 'grams per': unknown unit (known: g, gram, ...); did you mean grams?
    """
    if not isinstance(data, Mapping):
        raise _fail(source, "map", data, "must be a TOML table")
    for top in data:
        if top not in ("file", "columns", "fixed"):
            close = difflib.get_close_matches(str(top), ["file", "columns", "fixed"], n=1)
            raise _fail(source, str(top), "...", "unknown table (known: [file], [columns], [fixed])"
                        + (f"; did you mean [{close[0]}]?" if close else ""))
    file = data.get("file", {})
    if not isinstance(file, Mapping):
        raise _fail(source, "file", file, "must be a table ([file])")
    delimiter = decimal = header_row = None
    for k, v in file.items():
        if k == "delimiter":
            if v not in DELIMITERS:
                raise _fail(source, "file.delimiter", v, 'must be one of ",", ";", "\\t"')
            delimiter = DELIMITERS[v]
        elif k == "decimal":
            if v not in DECIMALS:
                raise _fail(source, "file.decimal", v, 'must be "." or ","')
            decimal = v
        elif k == "header_row":
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1000:
                raise _fail(source, "file.header_row", v, "must be a whole number from 1 to 1000")
            header_row = v
        else:
            raise _fail(source, f"file.{k}", v, "unknown key (known: delimiter, decimal, header_row)")
    cols = data.get("columns", {})
    if not isinstance(cols, Mapping):
        raise _fail(source, "columns", cols, "must be a table ([columns])")
    mapped: dict[str, Mapped] = {}
    keys_seen: dict[str, str] = {}
    for header, spec in cols.items():
        where = f"columns.{_quote(header)}"
        unit, factor = "", 1.0
        if isinstance(spec, str):
            key = spec
        elif isinstance(spec, Mapping):
            for k in spec:
                if k not in ("key", "unit", "scale"):
                    raise _fail(source, f"{where}.{k}", spec[k], "unknown key (known: key, unit, scale)")
            key = spec.get("key")
            if not isinstance(key, str):
                raise _fail(source, f"{where}.key", key, "is required (a scenario key such as demand.rate_per_year)")
            if "unit" in spec and "scale" in spec:
                raise _fail(source, where, dict(spec), "give unit or scale, not both")
            if "unit" in spec:
                unit = spec["unit"]
                if not isinstance(unit, str) or unit.strip().lower() not in UNITS:
                    close = difflib.get_close_matches(str(unit), list(UNITS), n=1, cutoff=0.5)
                    raise _fail(source, f"{where}.unit", unit, f"unknown unit (known: {', '.join(UNITS)})"
                                + (f"; did you mean {close[0]}?" if close else ""))
                factor = UNITS[unit.strip().lower()]
            if "scale" in spec:
                s = spec["scale"]
                if isinstance(s, bool) or not isinstance(s, (int, float)) or not math.isfinite(s) or s <= 0:
                    raise _fail(source, f"{where}.scale", s, "must be a number > 0")
                factor, unit = float(s), f"scale = {s:g}"
        else:
            raise _fail(source, where, spec, 'must be a key ("demand.rate_per_year") or '
                                             '{ key = "...", unit = "..." }')
        key = key.strip()
        if key in keys_seen:
            raise _fail(source, where, key, f"this key is already given by column {keys_seen[key]!r}")
        keys_seen[key] = header
        if key == "sku" and factor != 1.0:
            raise _fail(source, where, key, "the sku column takes no unit or scale")
        mapped[str(header).strip()] = Mapped(str(header).strip(), key, factor, unit)
    fixed = data.get("fixed", {})
    if not isinstance(fixed, Mapping):
        raise _fail(source, "fixed", fixed, "must be a table ([fixed])")
    for key in fixed:
        if key in keys_seen:
            raise _fail(source, f"fixed.{_quote(key)}", fixed[key],
                        f"this key is also given by column {keys_seen[key]!r}")
    return ColumnMap(mapped, dict(fixed), delimiter, decimal, header_row, source)


def _quote(text: str) -> str:
    return f'"{text}"' if not re.fullmatch(r"[A-Za-z0-9_.-]+", str(text)) else str(text)


def load_map(path) -> ColumnMap:
    """Read a column-map TOML file (a byte-order mark is allowed)."""
    from pathlib import Path

    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ColumnMapError(f"column map {str(p)!r} does not exist") from None
    except OSError as exc:
        raise ColumnMapError(f"column map {str(p)!r} cannot be read ({exc.strerror})") from None
    if len(raw) > 1_000_000:
        raise ColumnMapError(f"column map {str(p)!r} is larger than 1 MB: not a column map")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ColumnMapError(f"column map {str(p)!r} is not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ColumnMapError(f"column map {str(p)!r} is not valid TOML: {exc}") from None
    except RecursionError:
        raise ColumnMapError(f"column map {str(p)!r} is nested too deeply") from None
    return parse_map(data, str(p))


# --------------------------------------------------------------------------- suggestions

#: Words an ERP export uses for a key (lower case). The first stock method stands for
#: ``<stock>``, the first order method for ``<order>``.
SYNONYMS = {
    "sku": ("sku", "material", "material number", "material no", "article", "article number",
            "item", "item number", "item no", "part number", "part no", "part", "product", "id"),
    "demand.rate_per_year": ("annual demand", "demand", "yearly demand", "demand per year",
                             "usage", "annual usage", "consumption", "annual consumption"),
    "demand.service_years": ("service years", "service period", "years of service", "life"),
    "methods.<stock>.price": ("unit price", "price", "cost", "unit cost", "purchase price",
                              "standard price", "moving average price"),
    "methods.<stock>.moq": ("moq", "minimum order quantity", "minimum order", "min order qty",
                            "minimum lot size", "lot size"),
    "methods.<stock>.production_days": ("lead time", "lead time days", "planned delivery time",
                                        "delivery time", "replenishment time"),
    "methods.<stock>.shipping_days": ("shipping days", "transit time", "shipping time"),
    "part.weight_kg": ("weight", "net weight", "gross weight", "mass"),
    "part.material": ("material name", "material type", "polymer", "resin"),
    "downtime.emergency_per_day": ("downtime cost", "downtime per day", "emergency cost",
                                   "penalty per day", "stockout cost"),
    "storage.holding_per_part_year": ("holding cost", "storage cost", "holding"),
    "methods.<order>.price": ("print price", "am price", "3d print price", "printing price"),
}
_UNIT_HINTS = (
    (re.compile(r"\(\s*g\s*\)|\bgrams?\b|\[g\]|\bin g\b"), "g", "grams -> kg"),
    (re.compile(r"\bper\s*100\b|/\s*100\b|\bprice unit 100\b"), "per 100", "a price per 100 -> per piece"),
    (re.compile(r"\bper\s*1000\b|/\s*1000\b"), "per 1000", "a price per 1000 -> per piece"),
    (re.compile(r"\bweeks?\b|\(\s*wk\s*\)"), "weeks", "weeks -> days"),
    (re.compile(r"%|\bpercent\b|\bpct\b"), "percent", "a percentage -> a fraction"),
)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[_\-./()\[\]:#]", " ", text.lower())).strip()


def _candidates(scenario) -> dict[str, str]:
    """``{key: help text}`` for the keys a catalogue column may give."""
    from amspares.portfolio.columns import column_keys

    return column_keys(scenario)


def suggest(headers: Sequence[str], scenario) -> list[tuple[str, str | None, str, str]]:
    """Per header: ``(header, key or None, unit, why)`` -- a fuzzy match on key names,
    ERP words (:data:`SYNONYMS`) and the keys' help texts.

    >>> from amspares.scenario import load_scenario
    >>> [s[:3] for s in suggest(["Material", "Weight (g)", "Unit price", "Planner"], load_scenario())]
    [('Material', 'sku', ''), ('Weight (g)', 'part.weight_kg', 'g'), ('Unit price', 'methods.regular.price', ''), ('Planner', None, '')]
    """
    cands = _candidates(scenario)
    stock = next((m for m, k in scenario.methods.items() if k == "stock"), None)
    order = next((m for m, k in scenario.methods.items() if k == "order"), None)
    words: dict[str, tuple[str, ...]] = {}
    for key, syn in SYNONYMS.items():
        key = key.replace("<stock>", stock or "?").replace("<order>", order or "?")
        if key == "sku" or key in cands:
            words[key] = syn
    out: list[tuple[str, str | None, str, str]] = []
    taken: set[str] = set()
    for header in headers:
        h = str(header or "").strip()
        norm = _normal(h)
        unit, unit_why = "", ""
        for pattern, u, why in _UNIT_HINTS:
            if pattern.search(h.lower()):
                unit, unit_why = u, why
                break
        bare = _normal(re.sub(r"\(.*?\)|\[.*?\]", " ", h.lower()))
        best: tuple[float, str, str] | None = None
        if h in cands or h == "sku":
            best = (2.0, h, "the header is the key itself")
        for key, syn in words.items():
            if key in taken:
                continue
            for s in syn:
                if bare == s or norm == s:
                    score, why = 1.5, f"{h!r} is a usual name for {key}"
                else:
                    r = difflib.SequenceMatcher(None, bare, s).ratio()
                    score, why = r, f"{h!r} looks like {s!r} ({r:.0%} alike), a name for {key}"
                if score >= 0.8 and (best is None or score > best[0]):
                    best = (score, key, why)
        if best is None or best[0] < 1.0:
            hw = set(bare.split()) - {"the", "of", "a", "per", "in", "and"}
            for key, text in cands.items():
                if key in taken or not hw:
                    continue
                kw = set(_normal(key.split(".")[-1]).split())
                helpw = set(_normal(text).split())
                r = difflib.SequenceMatcher(None, bare.replace(" ", "_"), key.split(".")[-1]).ratio()
                overlap = len(hw & kw) / len(hw)
                score = max(r, 0.9 * overlap, 0.6 * len(hw & helpw) / len(hw))
                if score >= 0.6 and (best is None or score > best[0]):
                    why = (f"{h!r} is like the key name {key.split('.')[-1]!r} ({score:.0%})" if score == max(r, 0.9 * overlap)
                           else f"the words of {h!r} are in the help text of {key}: {text!r}")
                    best = (score, key, why)
        if best is None:
            out.append((h, None, "", "no key matched: carried through to the output as text"))
            continue
        taken.add(best[1])
        if best[1] == "sku":
            unit, unit_why = "", ""
            why = best[2]
            if norm == "material":
                why += " (SAP's material number); if it holds material names, map it to part.material"
        else:
            why = best[2] + (f"; unit {unit}: {unit_why}" if unit else "")
            if best[1].endswith(".price") and not unit:
                why += '; is it a price per 100 or 1000 pieces? then add unit = "per 100"'
            if best[1].endswith("_days") and not unit:
                why += '; in weeks? then add unit = "weeks"'

        out.append((h, best[1], unit, why))
    return out


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def suggest_map(headers: Sequence[str], scenario, *, delimiter: str | None = None,
                decimal: str | None = None, header_row: int | None = None) -> str:
    """A starting column map (TOML text) for these headers, one commented line per header."""
    lines = ["# amspares column map, suggested from the catalogue's headers: check every line.",
             "# Each header maps to a scenario key (docs/catalogues.md lists them), with an",
             "# optional unit (g, per 100, weeks, percent, ...) or scale. Unmapped columns are carried",
             "# through to the output as text. See docs/catalogues.md.", "", "[file]"]
    names = {"\t": "\\t"}
    lines.append(f"delimiter = {_toml_string(names.get(delimiter, delimiter))}" if delimiter
                 else '# delimiter = ";"')
    lines.append(f"decimal = {_toml_string(decimal)}" if decimal else '# decimal = ","')
    lines.append(f"header_row = {header_row}" if header_row and header_row > 1 else "# header_row = 1")
    lines += ["", "[columns]"]
    found_sku = False
    for header, key, unit, why in suggest(headers, scenario):
        if not header:
            continue
        name = _toml_string(header)
        why = why.replace("\n", " ")
        if key is None:
            lines.append(f"# {name} = \"\"    # {why}")
            continue
        found_sku |= key == "sku"
        value = _toml_string(key) if not unit else f"{{ key = {_toml_string(key)}, unit = {_toml_string(unit)} }}"
        lines.append(f"{name} = {value}    # {why}")
    if not found_sku:
        lines.append('# no header looks like the SKU: map one, e.g. "Part no" = "sku"')
    lines += ["", "[fixed]", "# keys the file lacks, the same for every SKU, e.g.",
              "# \"methods.regular.shipping_days\" = 0", ""]
    return "\n".join(lines)
