"""When a resident asks to be forgotten: their push outcomes stay in the area's figures, nameless."""
from sqlalchemy import delete, update

from handlers.people import residents
from models import Delivery, MessageOptIn, ResidentTag, db


def forget_push_records(resident) -> list[str]:
    unlinked = db.session.execute(update(Delivery).where(Delivery.resident_id == resident.id)
                                  .values(resident_id=None)).rowcount
    db.session.execute(delete(MessageOptIn).where(MessageOptIn.resident_id == resident.id))
    db.session.execute(delete(ResidentTag).where(ResidentTag.resident_id == resident.id))
    return [f"{unlinked} 条推送记录与您的关联"] if unlinked else []


if hasattr(residents, "forgets") and forget_push_records not in residents.FORGETTERS:
    residents.forgets(forget_push_records)
