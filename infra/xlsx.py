"""Excel exports for the console: one sheet, a header row, and phone numbers masked by default."""
import io
import re

from openpyxl import Workbook

from infra import clock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheet programs run cells that start like a formula; a resident's text must stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def workbook(title: str, headers: list[str], rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(headers)
    for row in rows:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
