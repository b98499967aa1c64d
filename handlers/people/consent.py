"""Consent (PIPL art. 13–14): personal data is asked for only after the resident agreed to its purpose."""
from content.texts import table, text
from models import Consent, Resident, db

AGREE = set(table("consent.toml")["agree"])
DECLINE = set(table("consent.toml")["decline"])


def version() -> str:
    return text("consent.version")


def explanation(purpose: str) -> str:
    """What is collected for `purpose` and why, and how to agree."""
    return text(f"consent.{purpose}")


def has(resident: Resident, purpose: str) -> bool:
    return db.session.execute(db.select(Consent.id).filter_by(
        resident_id=resident.id, purpose=purpose)).first() is not None


def grant(resident: Resident, purpose: str, channel: str) -> None:
    """Record the consent once; agreeing again keeps the first record."""
    if not has(resident, purpose):
        db.session.add(Consent(resident_id=resident.id, purpose=purpose, version=version(),
                               channel=channel))
        db.session.flush()


def granted(resident: Resident) -> list[Consent]:
    return list(db.session.execute(db.select(Consent).filter_by(resident_id=resident.id)
                                   .order_by(Consent.id)).scalars())
