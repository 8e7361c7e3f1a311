"""Live input checks of the scenario workbook, generated from the scenario's own rules.

Every numeric key of :mod:`amspares.scenario` has a :class:`amspares.rules.Rule`; this
module turns a rule into spreadsheet formulas (one place): :func:`number_check` gives the
formula of a check cell that is empty while the value is fine and otherwise says, as
:class:`amspares.errors.ScenarioError` would, which rule it breaks
(``demand.rate_per_year = -1: must be >= 0``); :func:`number_valid` gives the condition of
the cell's data validation. The conditions are :data:`amspares.rules.EXCEL_RANGES` and the
words :func:`amspares.rules.describe`, so the workbook and the command line cannot drift
apart (tests/test_workbook_checks.py recalculates both in LibreOffice on sample values).

Only IF, AND, OR, NOT, ISNUMBER, EXACT, ROUNDUP, ABS, MATCH, SUMPRODUCT and ``&`` are used.
"""

from __future__ import annotations

from amspares import rules
from amspares.rules import Rule


def _q(text: str) -> str:
    """A spreadsheet text constant."""
    return '"' + text.replace('"', '""') + '"'


def shown(x: str) -> str:
    """The value of cell ``x`` as a message shows it (``repr``-like: text in quotes)."""
    return f"""IF(ISNUMBER({x}),{x}&"","'"&{x}&"'")"""


def broken(key: str, x: str, words: str) -> str:
    """``key = value: words`` for the value of cell ``x``."""
    return f"{_q(key + ' = ')}&{shown(x)}&{_q(': ' + words)}"


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def number_conditions(rule: Rule, x: str) -> list[tuple[str, str]]:
    """(condition that the number in ``x`` breaks the rule, words) in the order of
    :func:`amspares.rules.reasons`; each condition may assume the earlier ones false."""
    out = [(f"NOT(ISNUMBER({x}))", rules.describe(rule, rules.NOT_A_NUMBER))]
    if rule.range:
        out.append((f"NOT({rules.EXCEL_RANGES[rule.range].format(x=x)})", rules.describe(rule, rules.OUT_OF_RANGE)))
    if rule.minimum is not None:
        out.append((f"{x}<{_number(rule.minimum)}", rules.describe(rule, rules.TOO_SMALL)))
    if rule.integer:
        out.append((f"{x}<>ROUNDUP({x},0)", rules.describe(rule, rules.NOT_WHOLE)))
    out.append((f"ABS({x})>{_number(rule.maximum)}", rules.describe(rule, rules.TOO_LARGE)))
    return out


def chain(cases: list[tuple[str, str]], last: str = '""') -> str:
    """``IF(c1, t1, IF(c2, t2, ... last))``: the first case that holds."""
    f = last
    for cond, then in reversed(cases):
        f = f"IF({cond},{then},{f})"
    return f


def number_check(key: str, x: str, rule: Rule, blank_ok: bool) -> str:
    """Formula of the check cell of a numeric input in ``x``: ``""`` or the broken rule."""
    blank = '""' if blank_ok else broken(key, x, rules.describe(rule, rules.EMPTY))
    cases = [(f'{x}=""', blank)]
    cases += [(c, broken(key, x, w)) for c, w in number_conditions(rule, x)]
    return chain(cases)


def number_valid(rule: Rule, x: str) -> str:
    """The data-validation condition of a numeric input in ``x`` (blank handled by the
    validation's "ignore blank")."""
    return "NOT(OR(" + ",".join(c for c, _w in number_conditions(rule, x)) + "))"


def rule_words(rule: Rule, blank_ok: bool) -> str:
    """The rules of a numeric input in plain words, for the validation's input message.

    >>> rule_words(Rule(">= 1", integer=True, maximum=1e9), blank_ok=False)
    'A whole number >= 1, at most 1e+09. Required.'
    """
    what = "A whole number" if rule.integer else "A number"
    rng = rules.describe(rule, rules.OUT_OF_RANGE).replace("must be ", "") if rule.range else ""
    text = what + (" " + rng if rng and not rng.startswith("between") else (", " + rng if rng else ""))
    text += f", at least {rule.minimum:g}" if rule.minimum is not None else ""
    text += f", at most {rule.maximum:{rule.maximum_format}}."
    return text + (" May be left empty." if blank_ok else " Required.")


def choice_check(key: str, x: str, choices, built: str | None = None) -> str:
    """Formula of the check cell of a choice input (case as written, like the scenario file);
    ``built``: the only value the workbook's model sheets compute (a method's kind)."""
    ok = "OR(" + ",".join(f"EXACT({x},{_q(c)})" for c in choices) + ")"
    cases = [(f"NOT({ok})", broken(key, x, f"must be one of {', '.join(choices)}"))]
    if built is not None:
        cases.append((f"NOT(EXACT({x},{_q(built)}))",
                       broken(key, x, f"this workbook was built for a {built} method; "
                                      "write a new workbook with amspares scenario")))
    return chain(cases)


def table_check(key: str, x: str, table: str, names: str) -> str:
    """Formula of the check cell of a factor-table name (blank: use the number)."""
    return chain([(f'{x}=""', '""'),
                  (f"ISNUMBER(MATCH({x},{names},0))", '""')],
                 broken(key, x, f"unknown {table} name (see the Factors sheet)"))


def leg_key(r: int, first: int) -> str:
    """Formula of the helper cell naming row ``r``'s leg as the scenario file would
    (``methods.regular.transport_to_factory[1]``: the n-th leg of that method and leg)."""
    nth = f"SUMPRODUCT((A${first}:A{r}=A{r})*(B${first}:B{r}=B{r}))"
    return f'"methods."&A{r}&".transport_to_"&B{r}&"["&{nth}&"]"'


def leg_check(r: int, first: int, methods, mode_names: str, key_cell: str) -> str:
    """Formula of the check cell of row ``r`` of the Transport legs table (columns A method,
    B leg, C mode, D km, E custom factor; rows from ``first``; ``key_cell`` holds
    :func:`leg_key`), in the words of :func:`amspares.workbook.fill.read_scenario` and
    :func:`amspares.scenario.parse_legs`."""
    from amspares.workbook.fill import LEG_NAMES
    A, B, C, D, E = (f"{c}{r}" for c in "ABCDE")
    where = f'"transport legs row {r - first + 1}"'
    key = f'{key_cell}&"'

    def said(k, x, words):
        return f"{k}&{_q(' = ')}&{shown(x)}&{_q(': ' + words)}"

    def one_of(x, names):
        return "OR(" + ",".join(f"EXACT({x},{_q(n)})" for n in names) + ")"

    km_rule = Rule(">= 0")
    cases = [
        (f'AND({A}="",{B}="",{C}="",{D}="",{E}="")', '""'),
        (f"NOT({one_of(A, methods)})", said(f'{where}&" method"', A, f"must be one of {', '.join(methods)}")),
        (f"NOT({one_of(B, LEG_NAMES)})", said(f'{where}&" leg"', B, f"must be one of {', '.join(LEG_NAMES)}")),
        (f'{D}=""', f'{where}&" km = None: is required"'),
    ]
    cases += [(c, said(key + '.km"', D, w)) for c, w in number_conditions(km_rule, D)]
    cases += [(f'AND({E}<>"",{c})', said(key + '.mpts_per_kg_km"', E, w))
              for c, w in number_conditions(km_rule, E)]
    cases += [(f'AND({E}="",{C}="")',
               f'{key}.mode = None: is required (a mode from the transport table, or mpts_per_kg_km)"'),
              (f'AND({E}="",NOT(ISNUMBER(MATCH({C},{mode_names},0))))',
               said(key + '.mode"', C, "unknown transport_modes name (see the Factors sheet)"))]
    return chain(cases)
