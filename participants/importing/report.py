"""What an import tells the user: each problem with its row and column (ImportIssue), what each row
does (RowOutcome), and the whole (ImportReport), kept with an upload as JSON until it is confirmed.

Every problem of a file is found in one reading (the steps do not stop at the first kind of
mistake), so one correction round is enough. Problems are grouped by kind (KINDS: the file's
columns, the cells' values, repeats inside the file, the bank and the user's rights), and a huge
file of mistakes stays readable and small to keep: Issues lists at most LISTED_PER_GROUP of one
kind in one column, and then one line counting the rest («и ещё 1 234 ошибки в столбце …»).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.wording import counted

# Kinds of problem, in the order the preview shows them, with the heading of each group.
STRUCTURE, VALUES, REPEATS, BANK = "structure", "values", "repeats", "bank"
KINDS = {
    STRUCTURE: "Столбцы и лист",
    VALUES: "Значения в ячейках: даты, числа, списки, обязательные столбцы",
    REPEATS: "Повторы внутри файла",
    BANK: "Расхождения с банком и права доступа",
}
LISTED_PER_GROUP = 50  # problems listed per kind and column; the rest are counted in one line


@dataclass
class ImportIssue:
    row: int | None  # Excel row number (header is row 1), None for file-level problems
    column: str | None  # column header, None if not about one column
    message: str  # Russian, says what is wrong and what to do
    kind: str = VALUES  # one of KINDS
    more: int = 0  # > 0: not a problem but the count of those of its kind and column left unlisted

    def __str__(self):
        if self.more:
            return self.message[0].upper() + self.message[1:]
        if self.row is None:
            # A message that already names the file reads better without a second «Файл:».
            return self.message if self.message.startswith("Файл ") else f"Файл: {self.message}"
        where = f"Строка {self.row}"
        if self.column:
            where += f", столбец «{self.column}»"
        return f"{where}: {self.message}"


def unlisted(kind: str, column: str | None, count: int) -> ImportIssue:
    """The line standing for `count` problems of a kind and column that are not listed one by one."""
    errors = counted(count, "error")
    if column:
        text = f"и ещё {errors} в столбце «{column}»: исправьте показанные и проверьте весь столбец."
    else:
        text = f"и ещё {errors} вида «{KINDS[kind]}»: исправьте показанные и проверьте остальные строки файла."
    return ImportIssue(None, column, text, kind, count)


class Issues:
    """A file's problems as they are found, at most LISTED_PER_GROUP per kind and column kept.

    Rows are checked in their order, so the kept ones are the first rows with the problem.
    """

    def __init__(self, columns: list[str]):
        self.columns = columns
        self.listed: list[ImportIssue] = []
        self.per_group: dict[tuple[str, str | None], int] = {}

    def add(self, issue: ImportIssue):
        group = (issue.kind, issue.column)
        seen = self.per_group.get(group, 0)
        self.per_group[group] = seen + 1
        if seen < LISTED_PER_GROUP:
            self.listed.append(issue)

    def extend(self, issues):
        for issue in issues:
            self.add(issue)

    def result(self) -> list[ImportIssue]:
        """The listed problems by kind, then row, then column, each group's count of the rest at its end."""
        order = {kind: index for index, kind in enumerate(KINDS)}
        position = {column: index for index, column in enumerate(self.columns)}
        width = len(self.columns)
        issues = list(self.listed)
        for (kind, column), seen in self.per_group.items():
            if seen > LISTED_PER_GROUP:
                issues.append(unlisted(kind, column, seen - LISTED_PER_GROUP))
        issues.sort(
            key=lambda i: (
                order.get(i.kind, len(order)),
                bool(i.more),
                i.row or 0,
                position.get(i.column, width),
            )
        )
        return issues


@dataclass
class RowOutcome:
    row: int
    person: str  # "Петрова Мария Сергеевна, 20.05.2006"
    action: str  # "create" | "update" | "unchanged"
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (column, old shown, new shown)
    membership: str = ""  # "" or e.g. "резидент-школьник с 01.04.2019"


@dataclass
class IssueGroup:
    kind: str
    title: str
    issues: list[ImportIssue]
    count: int  # problems of the group, the unlisted ones included


@dataclass
class ImportReport:
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    saved: bool = False  # True only when commit=True and there were no errors

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        """Problems of the file, those counted in an «и ещё …» line included."""
        return sum(issue.more or 1 for issue in self.errors)

    @property
    def error_groups(self) -> list[IssueGroup]:
        """The problems by kind, in the order of KINDS, as the preview shows them."""
        groups = []
        for kind, title in KINDS.items():
            issues = [issue for issue in self.errors if issue.kind == kind]
            if issues:
                groups.append(IssueGroup(kind, title, issues, sum(issue.more or 1 for issue in issues)))
        return groups

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
            "errors": [[i.row, i.column, i.message, i.kind, i.more] for i in self.errors],
        }

    @classmethod
    def from_json(cls, stored: dict) -> ImportReport:
        return cls(
            rows=[
                RowOutcome(row, person, action, [tuple(c) for c in changes], membership)
                for row, person, action, changes, membership in stored.get("rows", [])
            ],
            errors=[ImportIssue(*issue) for issue in stored.get("errors", [])],  # previews before kinds: 3 items
        )
