"""Reading an uploaded spreadsheet (CSV or XLSX) into a header and rows of cell values.

Only what a document batch needs, with the limits that keep a hostile file harmless: a
cap on rows and columns, and for XLSX (a zip archive) a check of the declared sizes
before anything is decompressed, so a zip bomb is refused unopened.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

MAX_COLUMNS = 200
XLSX_MAX_EXPANSION = 100  # decompressed bytes per uploaded byte; real workbooks stay well below
XLSX_MAX_UNCOMPRESSED = 300_000_000  # bytes: what one upload may occupy once unpacked
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and other Office binary files)


class SpreadsheetError(ValueError):
    """The upload is not a spreadsheet this service reads; `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class Sheet:
    """A header (column names as written) and data rows (cell values, None where empty).

    Fully empty rows are dropped; `row_numbers[i]` is the 1-based position of rows[i]
    among the data rows as the file has them (the row after the header is 1).
    """

    columns: list[str]
    rows: list[list[Any]]
    row_numbers: list[int]
    format: str


def read_sheet(data: bytes, max_rows: int) -> Sheet:
    """Parse CSV or XLSX bytes (told apart by content, not by file name)."""
    if not data.strip():
        raise SpreadsheetError("The file is empty")
    if data.startswith(XLSX_MAGIC):
        header, body = _xlsx(data)
        body = ([_cell(value) for value in row] for row in body)
        kind = "xlsx"
    elif data.startswith(OLE_MAGIC):
        raise SpreadsheetError("Legacy .xls workbooks are not read; save the sheet as .xlsx or .csv")
    else:
        header, body = _csv(data, max_rows)
        body = ([value if value.strip() else None for value in row] for row in body)  # CSV cells are text
        kind = "csv"
    columns = ["" if cell is None else str(cell).strip() for cell in header]
    if len(columns) > MAX_COLUMNS:
        raise SpreadsheetError(f"The file has {len(columns)} columns; at most {MAX_COLUMNS} are read")
    rows, numbers = [], []
    for number, cells in enumerate(body, start=1):
        if all(cell is None for cell in cells):
            continue
        rows.append(cells)
        numbers.append(number)
        if len(rows) > max_rows:
            raise SpreadsheetError(f"The file has more than {max_rows} documents; split it", status=413)
    return Sheet(columns, rows, numbers, kind)


def _csv(data: bytes, max_rows: int) -> tuple[list[Any], list[list[Any]]]:
    if b"\x00" in data[:4096]:
        raise SpreadsheetError("The file is neither CSV nor XLSX (it looks binary)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetError("The CSV file is not UTF-8 text; export it as UTF-8 CSV") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise SpreadsheetError("The file is empty")
        if len(header) > MAX_COLUMNS:
            raise SpreadsheetError(f"The file has {len(header)} columns; at most {MAX_COLUMNS} are read")
        rows = []
        for row in reader:
            rows.append(row)
            if len(rows) > max_rows * 2:  # blank lines are skipped later; this only bounds memory
                raise SpreadsheetError(f"The file has more than {max_rows} documents; split it", status=413)
    except csv.Error as exc:
        raise SpreadsheetError(f"The CSV file could not be read: {exc}") from None
    return header, rows


def _xlsx(data: bytes) -> tuple[list[Any], list[list[Any]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise SpreadsheetError("The file is neither CSV nor a readable XLSX workbook") from None
    if declared > XLSX_MAX_EXPANSION * len(data) or declared > XLSX_MAX_UNCOMPRESSED:
        raise SpreadsheetError("The workbook expands to far more data than it holds (a zip bomb?); refused")
    from python_calamine import CalamineWorkbook  # imported on first upload, not by every worker at start

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise SpreadsheetError("The workbook has no sheets")
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=True)
    except SpreadsheetError:
        raise
    except Exception as exc:  # calamine raises its own error types for every kind of broken workbook
        raise SpreadsheetError(f"The workbook could not be read ({type(exc).__name__})") from None
    if not rows:
        raise SpreadsheetError("The first sheet of the workbook is empty")
    return list(rows[0]), [list(row) for row in rows[1:]]


def _cell(value: Any) -> Any:
    """A cell as a JSON client would send it: None when empty, whole numbers as int, dates as ISO strings."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (time, timedelta)):
        return str(value)
    return value
