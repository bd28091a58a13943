"""What an import tells the user: each problem with its row and column (ImportIssue), what each row
does (RowOutcome), and the whole (ImportReport), kept with an upload as JSON until it is confirmed."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportIssue:
    row: int | None  # Excel row number (header is row 1), None for file-level problems
    column: str | None  # column header, None if not about one column
    message: str  # Russian, says what is wrong and what to do

    def __str__(self):
        if self.row is None:
            # A message that already names the file reads better without a second «Файл:».
            return self.message if self.message.startswith("Файл ") else f"Файл: {self.message}"
        where = f"Строка {self.row}"
        if self.column:
            where += f", столбец «{self.column}»"
        return f"{where}: {self.message}"


@dataclass
class RowOutcome:
    row: int
    person: str  # "Петрова Мария Сергеевна, 20.05.2006"
    action: str  # "create" | "update" | "unchanged"
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (column, old shown, new shown)
    membership: str = ""  # "" or e.g. "резидент-школьник с 01.04.2019"


@dataclass
class ImportReport:
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    saved: bool = False  # True only when commit=True and there were no errors

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0}
        for outcome in self.rows:
            counts[outcome.action] += 1
        return counts

    def to_json(self) -> dict:
        """The preview as stored with the upload (ImportUpload.result): lists, not objects, to stay small."""
        return {
            "rows": [[o.row, o.person, o.action, [list(c) for c in o.changes], o.membership] for o in self.rows],
            "errors": [[i.row, i.column, i.message] for i in self.errors],
        }

    @classmethod
    def from_json(cls, stored: dict) -> ImportReport:
        return cls(
            rows=[
                RowOutcome(row, person, action, [tuple(c) for c in changes], membership)
                for row, person, action, changes, membership in stored.get("rows", [])
            ],
            errors=[ImportIssue(row, column, message) for row, column, message in stored.get("errors", [])],
        )


def sort_issues(issues: list[ImportIssue], columns: list[str]):
    """File first, then by row, and within a row in the order of the columns."""
    position = {column: index for index, column in enumerate(columns)}
    issues.sort(key=lambda i: (i.row or 0, position.get(i.column, len(columns))))
