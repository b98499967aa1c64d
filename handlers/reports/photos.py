"""A chat report's photo, fetched from WeChat into the report.

An image message carries a MediaId and a PicUrl, not the bytes, and WeChat keeps temporary media
for 3 days only: the photo is downloaded in the background once the report is saved (a job, so
the chat's answer does not wait on WeChat), checked as an uploaded photo is, and kept with the
report like the API's photos. A download that fails keeps the report and notes why
(photo_fetch_error), which the console shows staff.
https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/Get_temporary_materials.html
"""
import logging

from content.report_texts import text
from handlers.reports.records import ReportError, checked_photo
from infra import jobs
from infra.wechat.send import Sender, SendError
from models import db
from models.reports import Report

log = logging.getLogger(__name__)


def fetch_later(report: Report) -> None:
    """Download the report's WeChat photo once the report is committed."""
    if report.photo_media_id:
        jobs.enqueue_after_commit(fetch_photo, report.id)


def fetch_photo(report_id: int) -> str:
    """Job: the report's photo from WeChat's media. Safe to run twice: a report that has its photo
    (or never had a media id) is left alone. A transient WeChat error is noted and raised, so RQ
    tries again; a refusal (40007: expired or unknown) or a file that is not a JPEG or PNG is final."""
    report = db.session.get(Report, report_id)
    if report is None or report.photo_type or not report.photo_media_id:
        return "skipped"
    try:
        photo = checked_photo(Sender().media(report.photo_media_id))
    except SendError as error:
        report.photo_fetch_error = error.code
        db.session.commit()
        if error.kind != "permanent":
            raise
        log.info("report %s: WeChat refused its photo (%s)", report_id, error.code)
        return "refused"
    except ReportError as error:
        report.photo_fetch_error = error.code  # photo_type, photo_size
        db.session.commit()
        return "refused"
    report.photo, report.photo_type, report.photo_fetch_error = photo.data, photo.content_type, ""
    db.session.commit()
    return "fetched"


def fetch_problem(report: Report) -> str:
    """What staff are told when the photo could not be fetched ('' when nothing went wrong)."""
    code = report.photo_fetch_error
    if not code or report.photo_type:
        return ""
    reasons = {"40007": text("admin.photo_expired"), "photo_type": text("errors.photo_type"),
               "photo_size": text("admin.photo_too_big")}
    return text("admin.photo_not_fetched", reason=reasons.get(code) or text("admin.photo_refused", code=code))
