"""Opening an .xlsx workbook someone else wrote, in bounded time and memory.

Every reader of a workbook from outside goes through here: the participants and event-results
import (participants.importing.reading, its own XML reader) and load_bank (participants.backup,
openpyxl).

1. `open_archive(source, limits)` reads the zip's central directory — nothing is inflated yet — and
   refuses a file with too many parts, a part or a total that unpacks past the limit, a part packed
   more tightly than any spreadsheet (a zip bomb), encrypted parts, compression methods Excel does
   not use, and repeated or path-like part names. The sizes checked are the ones that count:
   Python's zipfile never inflates an entry past the size its directory declares (it stops there
   and the CRC check fails), so a directory that lies gets a damaged file, not a bigger one.
2. It then reads every part's prolog, up to its first element, with expat, and refuses a document
   type declaration (<!DOCTYPE …>): without one there is no entity to expand (billion laughs) and no
   external entity to fetch, expat knowing only the five predefined ones. OOXML never has a DTD.
   This is defusedxml's protection, stricter (no DTD at all); defusedxml itself is not used because
   it swaps ElementTree's C parser for its pure-Python one, several times slower on a large sheet,
   and openpyxl switches to it too when it is installed.
3. `elements(source, depth, part)` streams a part: each element comes whole when it ends, and
   finished rows, shared strings and the like are detached from the tree as the reading goes, so
   memory holds one chunk of them at a time, however long the part. The readers count rows and
   cells as they go and stop at the limits.

Limits are in the settings (XLSX_* for imports, BANK_XLSX_* for load_bank); a refusal is a
WorkbookRefused whose message, in Russian, says which limit and what to do.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections import deque
from dataclasses import dataclass
from xml.etree import ElementTree
from xml.parsers import expat

from django.conf import settings

from reports.wording import number

MB = 1024 * 1024
# Small parts are not held to the ratio: a mostly empty sheet of a few kilobytes packs very tightly.
RATIO_FROM_BYTES = MB
# Elements inside one open element (a row, a shared string, the list of cell styles): a full row
# of 16 384 cells takes about 50 000, Excel's 64 000 cell styles about 200 000. More is not a
# spreadsheet, and would all be held in memory at once.
MAX_ITEM_ELEMENTS = 500_000
CHUNK = 1 << 16
PROLOG_CHUNK = 4096

REFUSED = "Файл отклонён: "
RESAVE = "Откройте книгу в Excel и сохраните её заново как «Книга Excel (*.xlsx)»."
SPLIT = "Разделите данные на несколько файлов поменьше."


class WorkbookRefused(Exception):
    """A workbook refused before or while it is read; str() is the Russian message for the user."""


class NotAWorkbook(WorkbookRefused):
    """Not a zip archive, or a damaged one: each reader says so in its own words."""


@dataclass(frozen=True)
class Limits:
    uncompressed_bytes: int  # all parts together, and any one part
    parts: int
    compression_ratio: float  # uncompressed / compressed, for parts over RATIO_FROM_BYTES
    rows: int  # rows of a sheet
    cells: int  # cells of a sheet (imports) or of the workbook (load_bank); also shared strings

    @classmethod
    def imports(cls) -> Limits:
        return cls(
            uncompressed_bytes=settings.XLSX_MAX_UNCOMPRESSED_BYTES,
            parts=settings.XLSX_MAX_PARTS,
            compression_ratio=settings.XLSX_MAX_COMPRESSION_RATIO,
            rows=settings.XLSX_MAX_ROWS,
            cells=settings.XLSX_MAX_CELLS,
        )

    @classmethod
    def backups(cls) -> Limits:
        return cls(
            uncompressed_bytes=settings.BANK_XLSX_MAX_UNCOMPRESSED_BYTES,
            parts=settings.BANK_XLSX_MAX_PARTS,
            compression_ratio=settings.BANK_XLSX_MAX_COMPRESSION_RATIO,
            rows=settings.BANK_XLSX_MAX_ROWS,
            cells=settings.BANK_XLSX_MAX_CELLS,
        )


def megabytes(n: int) -> str:
    value = n / MB
    if value < 10:
        return f"{value:.1f}".replace(".", ",") + "\xa0МБ"
    return number(round(value)) + "\xa0МБ"


# The archive -----------------------------------------------------------------------------------


def open_archive(source, limits: Limits) -> zipfile.ZipFile:
    """The workbook's zip, checked (see the module's docstring); raises WorkbookRefused.

    `source`: the file's bytes (or a memoryview of them), a path, or a binary file object.
    A missing file raises FileNotFoundError, as open() would.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        source = io.BytesIO(source)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError) as exc:
        raise NotAWorkbook(f"{REFUSED}это не книга Excel (.xlsx) или она повреждена.") from exc
    try:
        check_archive(archive, limits)
    except BaseException:
        archive.close()
        raise
    return archive


def check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    infos = archive.infolist()
    if len(infos) > limits.parts:
        raise WorkbookRefused(
            f"{REFUSED}в архиве книги слишком много частей (листов, рисунков и служебных файлов): "
            f"{number(len(infos))}, а допустимо не больше {number(limits.parts)}. Скопируйте нужный лист "
            "в новую книгу и загрузите её."
        )
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if name in seen:
            raise WorkbookRefused(f"{REFUSED}в архиве книги дважды есть часть «{name}». {RESAVE}")
        if name.startswith("/") or "\\" in name or ".." in name.split("/"):
            raise WorkbookRefused(f"{REFUSED}в архиве книги часть с недопустимым именем «{name}». {RESAVE}")
        seen.add(name)
        if info.flag_bits & 0x1:
            raise WorkbookRefused(
                f"{REFUSED}часть книги «{name}» зашифрована. Снимите с книги пароль в Excel "
                "(Файл → Сведения → Защита книги) и сохраните её заново."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookRefused(
                f"{REFUSED}часть книги «{name}» сжата способом, которым Excel не пользуется. {RESAVE}"
            )
        if info.file_size > limits.uncompressed_bytes:
            raise WorkbookRefused(
                f"{REFUSED}часть книги «{name}» после распаковки занимает {megabytes(info.file_size)}, "
                f"а допустимо не больше {megabytes(limits.uncompressed_bytes)}. {SPLIT}"
            )
        packed = max(info.compress_size, 1)
        if info.file_size > RATIO_FROM_BYTES and info.file_size > limits.compression_ratio * packed:
            raise WorkbookRefused(
                f"{REFUSED}часть книги «{name}» сжата в {number(info.file_size // packed)} раз, а книги Excel "
                f"сжимаются не больше чем в {number(limits.compression_ratio)} раз: так устроены «zip-бомбы», "
                f"а не таблицы. {RESAVE}"
            )
        total += info.file_size
        if total > limits.uncompressed_bytes:
            raise WorkbookRefused(
                f"{REFUSED}после распаковки книга занимает больше {megabytes(limits.uncompressed_bytes)} "
                f"(всего {megabytes(sum(i.file_size for i in infos))}). {SPLIT}"
            )
    for info in infos:
        if not info.is_dir():
            _refuse_doctype(archive, info)


class _Doctype(Exception):
    pass


class _PrologRead(Exception):
    pass


def _refuse_doctype(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Reads the part up to its first element; refuses a DTD there (the only place one may be)."""

    def doctype(*args):
        raise _Doctype

    def first_element(*args):
        raise _PrologRead

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype  # only inside a DTD, which is refused first; kept for clarity
    parser.StartElementHandler = first_element
    try:
        with archive.open(info) as source:
            while chunk := source.read(PROLOG_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _PrologRead:
        return
    except _Doctype:
        raise WorkbookRefused(
            f"{REFUSED}в части книги «{info.filename}» есть объявление типа документа (<!DOCTYPE …>). "
            "Excel его не пишет, а через сущности такого объявления файл может раздуться при чтении "
            f"в миллиарды раз или обратиться к чужим файлам. {RESAVE}"
        ) from None
    except expat.ExpatError:
        return  # not XML (a picture, a binary part): whoever reads it as XML fails on it as well
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        raise NotAWorkbook(f"{REFUSED}архив книги повреждён (часть «{info.filename}»).") from exc


# Streaming a part ------------------------------------------------------------------------------


def elements(source, depth: int, part: str, tags: frozenset[str] | set[str] | None = None):
    """Each element of a part as it ends, with its children, like ElementTree.iterparse; only those
    whose tag is in `tags` when it is given (a sheet's rows, not each of their cells and values).

    Finished elements at most `depth` levels below the root (rows and merged ranges of a sheet at
    depth 2, shared strings at depth 1…) are detached from the tree after every 64 KB chunk, so
    the tree holds one chunk's worth of them and the one still open, however long the part. An open
    element that grows past MAX_ITEM_ELEMENTS elements is refused. A caller that needs an element's
    children reads them when the element ends, and passes a `depth` above theirs.

    Events: "start" only until the root has started (to hold it for detaching), then "end" only:
    ElementTree's C parser reports every element, and a start event for each costs a third more
    time on a large sheet. Switching goes through XMLParser._setevents, the hook XMLPullParser is
    built on (CPython since 3.4).
    """
    events: deque = deque()
    parser = ElementTree.XMLParser(target=ElementTree.TreeBuilder())
    parser._setevents(events, ("start", "end"))
    root = None
    item, inner = None, 0  # the open element at `depth`, and events seen while it stayed open
    while True:
        data = source.read(CHUNK)
        if data:
            parser.feed(data)
        else:
            parser.close()
        count = len(events)
        if root is None:
            ready = []
            for kind, element in list(events):
                if kind == "start":
                    if root is None:
                        root = element
                        parser._setevents(events, ("end",))
                else:
                    ready.append(element)
            events.clear()
        else:
            ready = [element for _, element in events]
            events.clear()
        if tags is not None:
            ready = [element for element in ready if element.tag in tags]
        yield from ready
        if root is not None:
            if len(root) > 1:
                del root[:-1]
            current = root[-1] if len(root) else None
            if depth >= 2 and current is not None:
                if len(current) > 1:
                    del current[:-1]
                current = current[-1] if len(current) else None
            if current is item:
                inner += count
            else:
                item, inner = current, count
            if inner > MAX_ITEM_ELEMENTS:
                raise WorkbookRefused(
                    f"{REFUSED}в части книги «{part}» один элемент (строка листа, текст или стиль) состоит "
                    f"больше чем из {number(MAX_ITEM_ELEMENTS)} вложенных элементов XML: Excel так не пишет. "
                    f"{RESAVE}"
                )
        if not data:
            return
