"""docs/RULES.md traces every duty of chapters 2-6 of the Rules to a feature and a test (issue 8).

Pure file checks, no application: the table is parsed, every test it names must exist, every
row's status must be one of the allowed ones, and every clause and numbered sub-clause of
chapters 2-6 found in the text of the Rules must have a row.
"""
import ast
import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "docs" / "RULES.md"
# A copy of the Rules travels with the code, so every checkout checks the table against them.
RULES_TEXT = ROOT / "docs" / "reference" / "one-window-rules-2019-ru.txt"

STATUSES = ("covered", "partly", "planned (issue 8)", "not a data duty")
P6_LISTS = {"внешнего": "ext", "центрального": "central", "регионального": "regional"}
DASHES = "–—"


# --- the table --------------------------------------------------------------------------------

def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


@lru_cache
def table_rows() -> list[dict]:
    """Rows of the first markdown table of docs/RULES.md, as dicts keyed by column name."""
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("| clause"))
    header = _cells(lines[start])
    rows = []
    for number, line in enumerate(lines[start + 2:], start + 3):
        if not line.lstrip().startswith("|"):
            break
        cells = _cells(line)
        assert len(cells) == len(header), \
            f"RULES.md line {number}: {len(cells)} cells, expected {len(header)}"
        row = dict(zip(header, cells))
        row["line"] = number
        rows.append(row)
    return rows


def column(name_start: str) -> str:
    header = [key for key in table_rows()[0] if key != "line"]
    return next(key for key in header if key.startswith(name_start))


def test_reading_the_table():
    rows = table_rows()
    assert len(rows) >= 40
    for name in ("clause", "duty", "feature", "tests", "status"):
        column(name)


def references_in(tests_cell: str) -> list[tuple[str, str | None]]:
    """(file, test name or None) for every reference of a tests cell; `::name` continues the
    last file."""
    refs, last_file = [], None
    for token in re.findall(r"`([^`]*)`", tests_cell):
        match = re.fullmatch(r"(tests/[\w/]+\.py)?(?:::(\w+))?", token.strip())
        if not match or not (match.group(1) or match.group(2)):
            raise ValueError(f"not a test reference: `{token}`")
        if match.group(1):
            last_file = match.group(1)
        elif last_file is None:
            raise ValueError(f"`{token}` continues no file named before it")
        refs.append((last_file, match.group(2)))
    return refs


@lru_cache
def defined_tests(path: str) -> frozenset:
    """Names of the test functions at module level or in classes of a test file."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=path)
    names = set()
    for node in tree.body:
        bodies = [node] if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else (
            node.body if isinstance(node, ast.ClassDef) else [])
        names.update(child.name for child in bodies
                     if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
                     and child.name.startswith("test"))
    return frozenset(names)


def test_every_named_test_exists():
    problems = []
    for row in table_rows():
        try:
            refs = references_in(row[column("tests")])
        except ValueError as error:
            problems.append(f"line {row['line']} ({row['clause']}): {error}")
            continue
        for path, name in refs:
            if not (ROOT / path).is_file():
                problems.append(f"line {row['line']} ({row['clause']}): no file {path}")
            elif name is not None and name not in defined_tests(path):
                problems.append(
                    f"line {row['line']} ({row['clause']}): {path} defines no test {name}")
    assert not problems, "RULES.md names tests that do not exist:\n" + "\n".join(problems)


def test_every_status_is_allowed_and_explained():
    problems = []
    for row in table_rows():
        status, where = row[column("status")], f"line {row['line']} ({row['clause']})"
        kind = next((s for s in STATUSES if status.startswith(s)), None)
        if kind is None:
            problems.append(f"{where}: status {status!r} is none of {STATUSES}")
        elif kind in ("partly", "not a data duty"):
            reason = status[len(kind):].lstrip(" :—-")
            if len(reason) < 10:
                say = "what is missing" if kind == "partly" else "why"
                problems.append(f"{where}: {kind!r} must say {say}")
        elif status != kind:
            problems.append(f"{where}: status {status!r} should read exactly {kind!r}")
    assert not problems, "\n".join(problems)


def test_covered_and_partly_rows_name_a_test():
    missing = [f"line {row['line']} ({row['clause']})" for row in table_rows()
               if row[column("status")].startswith(("covered", "partly"))
               and not references_in(row[column("tests")])]
    assert not missing, "covered or partly rows that name no test:\n" + "\n".join(missing)


# --- clause numbers named by the table --------------------------------------------------------

def _clause(text: str) -> tuple[str, str | None]:
    """'12.2.б' -> ('12', '2'); '15-1' -> ('15-1', None); '6 ext. 5' -> ('6', 'ext.5')."""
    text = text.strip()
    match = re.fullmatch(r"6\s+(ext\.|central|regional)\s*(\d+)", text)
    if match:
        return "6", f"{match.group(1).rstrip('.')}.{match.group(2)}"
    match = re.fullmatch(r"(\d+(?:-\d+)?)(?:\.(\d+(?:-\d+)?))?(?:\.[а-яa-z])?", text)
    if not match:
        raise ValueError(f"cannot read clause {text!r}")
    return match.group(1), match.group(2)


def _expand(part: str) -> set[str]:
    """Clause ids ('12', '12.7', '6', '6.ext.5') named by one comma-separated part of a
    clause cell."""
    part = re.sub(r"^п\.\s*", "", part.strip())
    if not part or part.lower().startswith("appendix"):
        return set()
    ends = re.split(f"[{DASHES}]", part)
    if len(ends) == 1:
        top, sub = _clause(part)
        return {top} | ({f"{top}.{sub}"} if sub else set())
    if len(ends) != 2:
        raise ValueError(f"cannot read range {part!r}")
    left = _clause(ends[0])
    right_text = re.sub(r"^п\.\s*", "", ends[1].strip())
    if left[1] and re.fullmatch(r"\d+", right_text):  # '6 ext. 5–7'
        right = (left[0], re.sub(r"\d+$", right_text, left[1]))
    else:
        right = _clause(right_text)
    if left[1] is None and right[1] is None:  # '16–17'
        return {str(n) for n in range(int(left[0]), int(right[0]) + 1)}
    (top, first), (right_top, last) = left, right
    prefix, start = re.fullmatch(r"(.*?)(\d+)", first).groups()
    assert right_top == top and last.startswith(prefix), f"range {part!r} spans clauses"
    return {top} | {f"{top}.{prefix}{n}" for n in range(int(start), int(last[len(prefix):]) + 1)}


def clause_ids(cell: str) -> set[str]:
    ids = set()
    for part in cell.split(","):
        ids |= _expand(part)
    return ids


@pytest.mark.parametrize("cell, expected", [
    ("п. 9.1–9.2", {"9", "9.1", "9.2"}),
    ("п. 16–17", {"16", "17"}),
    ("п. 15-1.3, п. 12.3", {"15-1", "15-1.3", "12", "12.3"}),
    ("п. 10.2.а, 10.2.д", {"10", "10.2"}),
    ("п. 6 ext. 5–7", {"6", "6.ext.5", "6.ext.6", "6.ext.7"}),
    ("п. 22–23, Appendix", {"22", "23"}),
    ("п. 7.1, 7.3", {"7", "7.1", "7.3"}),
])
def test_clause_cells_are_read(cell, expected):
    assert clause_ids(cell) == expected


@lru_cache
def listed_clauses() -> frozenset:
    ids = set()
    for row in table_rows():
        ids |= clause_ids(row["clause"])
    return frozenset(ids)


# --- clause numbers found in the text of the Rules --------------------------------------------

def rules_text() -> str:
    """Return the text of the Rules (docs/reference/, copied from ../shared/reference/)."""
    return RULES_TEXT.read_text(encoding="utf-8")


CLAUSE_LINE = re.compile(r"^(\d+(?:-\d+)?)\.\s+\S")       # '15-1. Фронт-офисы ...'
SUB_LINE = re.compile(r"^(\d+)\)\s")                       # '3) запрашивает ...'
P6_LIST_LINE = re.compile(r"^функции субъектов фронт-офисов (\w+) уровня:", re.IGNORECASE)


def rules_clauses(text: str) -> dict[str, list[str]]:
    """{clause number: its numbered sub-clauses} of chapters 2-6, in the order of the text.

    The text wraps lines anywhere and indents some with a space; a clause starts a line with
    '<number>.' or '<number>-<number>.' followed by text, a sub-clause with '<number>)'. Chapter 2
    starts at 'Глава 2'; chapter 6 ends at 'Глава 7' or at the appendix with its form.
    """
    clauses: dict[str, list[str]] = {}
    inside, current, p6_list = False, None, None
    for raw in text.splitlines():
        line = raw.strip()
        if re.match(r"^Глава\s+2\.", line):
            inside = True
            continue
        if not inside:
            continue
        if re.match(r"^Глава\s+([7-9]|\d\d)\.", line) or line.startswith("Приложение"):
            break
        if match := CLAUSE_LINE.match(line):
            current, p6_list = match.group(1), None
            clauses[current] = []
        elif current == "6" and (match := P6_LIST_LINE.match(line)):
            p6_list = P6_LISTS.get(match.group(1).lower())
        elif current and (match := SUB_LINE.match(line)):
            if current == "6":
                assert p6_list, f"п. 6 sub-clause {match.group(1)}) before any list of functions"
                clauses[current].append(f"{p6_list}.{match.group(1)}")
            else:
                clauses[current].append(match.group(1))
    return clauses


def test_the_rules_text_is_read_as_expected():
    clauses = rules_clauses(rules_text())
    numbers = list(clauses)
    assert numbers[0] == "3" and numbers[-1] == "28", numbers
    for number in ("6", "7", "8", "12", "15", "15-1", "15-2", "16", "22"):
        assert number in clauses, numbers
    assert len(numbers) == len(set(numbers)) >= 28, numbers
    assert clauses["7"] == ["1", "2", "3"]
    assert clauses["15-1"] == [str(n) for n in range(1, 12)]
    assert clauses["6"].count("ext.1") == 1
    assert "central.8" in clauses["6"] and "regional.10" in clauses["6"]


def test_every_clause_of_chapters_2_to_6_has_a_row():
    listed = listed_clauses()
    missing = []
    for number, subs in rules_clauses(rules_text()).items():
        if number not in listed:
            missing.append(f"п. {number}")
        missing += [f"п. {number}.{sub}" for sub in subs if f"{number}.{sub}" not in listed]
    assert not missing, ("docs/RULES.md has no row for these clauses of chapters 2-6 of the "
                         "Rules:\n"
                         + ", ".join(missing))
