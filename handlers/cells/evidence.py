"""Evidence files of zero-waste cells: checked by content, kept in the database.

Files are recognised by their first bytes, never by the name or type the client claims.
"""
import hashlib
import os

from flask import current_app

from content.cells import label
from handlers.cells.workflow import (
    CellError,
    check_unit,
    indicators,
    record,
    unit_actor,
)
from models import Resident, db
from models.cells import Cell, CellEvidence

MAX_FILES = 100  # per cell: about eight per indicator
SIGNATURES = ((b"%PDF-", "application/pdf", ".pdf"), (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
              (b"\x89PNG\r\n\x1a\n", "image/png", ".png"))
# The extensions a stored file may keep, by the extension its content calls for.
SUFFIXES = {".pdf": {".pdf"}, ".jpg": {".jpg", ".jpeg"}, ".png": {".png"}}


def max_bytes() -> int:
    return current_app.config["CELL_EVIDENCE_MAX_BYTES"]


def sniff(data: bytes) -> tuple[str, str]:
    for magic, content_type, suffix in SIGNATURES:
        if data.startswith(magic):
            return content_type, suffix
    raise CellError("file_type", label("error", "file_type"), 415)


def add(cell: Cell, resident: Resident, indicator_code: str, filename: str, data: bytes) -> CellEvidence:
    """Store one file for one indicator; the row commits with the caller's transaction."""
    check_unit(cell, resident, editing=True)
    if indicators(cell).get(indicator_code) is None:
        raise CellError("unknown_indicator", label("error", "unknown_indicator"))
    if not data:
        raise CellError("file_empty", label("error", "file_empty"))
    if len(data) > max_bytes():
        raise CellError("file_size", label("error", "file_size", mb=max_bytes() // (1024 * 1024)), 413)
    if len(cell.evidence) >= MAX_FILES:
        raise CellError("too_many_files", label("error", "too_many_files", limit=MAX_FILES), 409)
    content_type, suffix = sniff(data)
    evidence = CellEvidence(cell_id=cell.id, indicator_code=indicator_code,
                            filename=clean_filename(filename, suffix), content_type=content_type,
                            size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data)
    cell.evidence.append(evidence)
    record(cell, "upload", cell.status, cell.status, unit_actor(resident), comment=evidence.filename)
    return evidence


def clean_filename(filename: str, suffix: str) -> str:
    """The uploader's name without folders or control characters, ending in the extension of
    what the file is: a reviewer's computer opens it by that extension, so a PDF named
    `x.html` or a PNG named `x.exe` is stored as `x.pdf` / `x.png`."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable())
    stem, extension = os.path.splitext(name)
    if extension.lower() in SUFFIXES[suffix]:
        suffix = extension
    return (stem or name or "材料")[:120 - len(suffix)] + suffix


def remove(cell: Cell, resident: Resident, evidence_id: int) -> None:
    check_unit(cell, resident, editing=True)
    evidence = next((e for e in cell.evidence if e.id == evidence_id), None)
    if evidence is None:
        raise CellError("not_found", "没有这份材料", 404)
    cell.evidence.remove(evidence)
    db.session.flush()
