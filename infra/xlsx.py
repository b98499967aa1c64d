"""Excel for the console: exports (one sheet, a header row, phones masked by default), import
templates, and reading an uploaded workbook's rows."""
import io
import re
import zipfile

from infra import clock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheet programs run cells that start like a formula; a resident's text must stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Excel refuses these in a sheet's name (openpyxl raises), and names longer than 31 characters.
SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/:\[\]?*\x00-\x1f]")


def sheet_title(title: str) -> str:
    """A school's or activity's name as a sheet name Excel accepts (no leading/trailing quote either)."""
    return SHEET_TITLE_FORBIDDEN.sub(" ", title)[:31].strip("' ") or "Sheet"


def mask_phone(phone: str | None) -> str:
    """138****5678: enough to tell two volunteers apart, not enough to call them."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def beijing(value):
    """A stored naive-UTC instant as the Beijing wall time a person reads in Excel (no zone: Excel has none)."""
    return clock.local(value).replace(tzinfo=None) if value is not None else None


def cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# openpyxl is imported where a workbook is made or read: only staff's exports and imports need
# it, and at every start it would cost each web process about 6 MB and 0.07 s.


def workbook(title: str, headers: list[str], rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(title)
    sheet.append(headers)
    for row in rows:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template(title: str, headers: list[str], notes_title: str, notes: list[str],
             choices: dict[int, list[str]] | None = None) -> bytes:
    """An empty sheet to fill in (headers only) and a sheet of notes; `choices` puts a drop-down
    list of values on a column (0-based), for the rows staff fill in."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(title)
    sheet.append(headers)
    for index, values in (choices or {}).items():
        column = sheet.cell(row=1, column=index + 1).column_letter
        listed = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        listed.add(f"{column}2:{column}5000")
        sheet.add_data_validation(listed)
    for index in range(len(headers)):
        sheet.column_dimensions[sheet.cell(row=1, column=index + 1).column_letter].width = 22
    notes_sheet = book.create_sheet(sheet_title(notes_title))
    for note in notes:
        notes_sheet.append([note])
    notes_sheet.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class NotAWorkbook(ValueError):
    """The upload is not an .xlsx file openpyxl can read."""


def read_rows(content: bytes, max_rows: int) -> list[tuple[int, tuple]]:
    """(row number, values) of the first sheet's non-empty rows, the header included, at most
    `max_rows` + 1 of them (so the caller can tell a file that has too many)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as error:
        raise NotAWorkbook(str(error)) from error
    try:
        rows = []
        for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            if any(value is not None and str(value).strip() for value in values):
                rows.append((number, tuple(values)))
                if len(rows) > max_rows:
                    break
        return rows
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError) as error:
        raise NotAWorkbook(str(error)) from error
    finally:
        book.close()
