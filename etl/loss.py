"""A file that loses much says so: how much, the commonest reasons, what would fix the commonest."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from service_quality.schema import ENTITIES

from .coerce import expected_values

# More than this share of a file's rows rejected, and the load ends with a warning block.
LOSS_THRESHOLD = 0.05
TOP_REASONS = 5

_UNKNOWN = re.compile(r"^(?P<col>\w+) \([^)]*\)(?: \[column (?P<src>.*)\])?: unknown value "
                      r"'(?P<value>.*)' — expected")
_MISSING = re.compile(r"^(?P<col>\w+) \([^)]*\)(?: \[column (?P<src>.*)\])?: missing$")
_UNREAD = re.compile(r"^(?P<col>\w+) \([^)]*\)(?: \[column (?P<src>.*)\])?: cannot read "
                     r"'(?P<value>.*)' as (?P<what>a date and time|a date|a number|a ratio|"
                     r"a score)")
_SHORT_DATE = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")


@dataclass(frozen=True)
class Loss:
    """Rows of one table of one file that will not load, when they are more than the threshold."""

    file: str
    entity: str
    read: int
    lost: int
    reasons: tuple[tuple[str, int], ...]  # the commonest reasons, rows having each
    fix: str  # what would fix the commonest reason

    @property
    def share(self) -> float:
        """The share of the rows read that will not load."""
        return self.lost / self.read if self.read else 0.0

    def lines(self) -> list[str]:
        """The warning block about this table, one line a row of text."""
        width = len(str(self.reasons[0][1])) if self.reasons else 1
        return [
            f"{self.file} ({self.entity}): {self.lost} of {self.read} rows not loaded "
            f"({self.share:.1%})",
            *(f"  {n:>{width}} × {reason}" for reason, n in self.reasons),
            f"  fix the commonest: {self.fix}",
        ]


def loss_of(file: str, entity: str, read: int, reasons: pd.Series,
            profile: str | None = None) -> Loss | None:
    """The Loss of a table whose rejected rows have these `reasons`; None when at most
    LOSS_THRESHOLD of the `read` rows were rejected. `profile`: the profile it was read with."""
    if not read or len(reasons) / read <= LOSS_THRESHOLD:
        return None
    kinds = reason_kinds(reasons).head(TOP_REASONS)
    top = tuple(zip(kinds["kind"].tolist(), kinds["rows"].astype(int).tolist(), strict=True))
    return Loss(file, entity, read, len(reasons), top,
                fix_for(kinds["example"].iloc[0], entity, profile))


def reason_kinds(reasons: pd.Series) -> pd.DataFrame:
    """kind, rows, example: rows per kind of reason, commonest first.

    One row may have several reasons ("; "). Reasons that differ only by a row's own key, times
    or unreadable number or date are one kind; an unknown value stays its own kind (its fix
    names it), and so does an unreadable text without digits ('?', 'N/A': a null marker).
    """
    parts = reasons.astype("str").str.split("; ").explode()
    kinds = parts.str.replace(r"^(duplicate \w+) .*$", r"\1", regex=True)
    before = kinds.str.contains(" is before ", regex=False)
    kinds = kinds.where(~before, kinds.str.replace(
        r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?", "…", regex=True))
    kinds = kinds.str.replace(r"cannot read '[^']*\d[^']*' as", "cannot read '…' as",
                              regex=True)
    pairs = pd.DataFrame({"row": parts.index, "kind": kinds.to_numpy(),
                          "example": parts.to_numpy()}).drop_duplicates(["row", "kind"])
    grouped = pairs.groupby("kind", sort=True).agg(rows=("row", "size"),
                                                    example=("example", "first"))
    grouped = grouped.sort_values("rows", ascending=False, kind="stable")
    return grouped.reset_index()


def fix_for(kind: str, entity: str, profile: str | None) -> str:
    """The option, profile line or edit that would let the rows of this kind of reason load."""
    if m := _UNKNOWN.match(kind):
        col, value = m["col"], m["value"]
        target = col if entity == "tickets" else f"{entity}.{col}"
        known = col in ENTITIES[entity].column_names
        choices = expected_values(ENTITIES[entity].column(col), plain=True) if known else "…"
        line = f'--value "{target}:{value}=…" (… = one of {choices}, or nothing for empty)'
        if profile:
            line += f', or "{value}" = "…" under [{entity}.values.{col}] in the profile'
        return line
    if m := _MISSING.match(kind):
        col = m["col"]
        if m["src"]:
            return (f"these rows have nothing in column {m['src']}; if another column holds "
                    f"{col}, give --map {col}=COLUMN")
        return f"these rows have no {col}: fill it in, or give --map {col}=COLUMN"
    if m := _UNREAD.match(kind):
        value, where = m["value"], f"column {m['src'] or m['col']}"
        if not any(c.isdigit() for c in value):
            return f'--null "{value}" (a cell holding just this is empty)'
        if m["what"].startswith("a date") and _SHORT_DATE.match(value):
            return "--date-order dmy or --date-order mdy (the order of day and month)"
        return f"correct these cells of {where} in the file"
    if kind.startswith("duplicate "):
        if entity == "tickets" and not profile:
            return ("a tickets file in the canonical layout lists each ticket once; if this is "
                    "a history export (one row per update), load it with its --profile, which "
                    "keeps each ticket's latest row")
        return "remove the repeated rows from the file"
    if " is before " in kind:
        return "no option: the times contradict each other; correct them in the source system"
    if kind.startswith("row has "):
        return "check the quotes (\") and separators of these rows in the file"
    if m := re.search(r" is outside the (\d+)–(\d+) scale", kind):
        if m[2] == "5":
            return ("if the file scores on another scale, give it: score_scale = 10 or 100 "
                    "under [surveys] in the profile (or a score_scale column)")
        return f"correct these scores in the file: they are outside its {m[1]}–{m[2]} scale"
    return "see each row's reason in rejected_rows (Data page / 数据)"


def warning_block(losses: list[Loss]) -> list[str]:
    """The lines the command line ends with when files lost more than the threshold."""
    if not losses:
        return []
    files = len({loss.file for loss in losses})
    head = (f"warning: {files} file{'s' if files > 1 else ''} lost more than "
            f"{LOSS_THRESHOLD:.0%} of the rows — check before trusting the figures:")
    return [head, *(f"  {line}" for loss in losses for line in loss.lines())]
