"""Mobile numbers as people type them: one check for every form, chat dialog and API field.

Volunteers, guardians and the contacts of zero-waste cells give a phone; each goes through
`clean`, and a refused one is told `problem()` (content/replies.toml [phone]) under the API's
one code for a field that does not fit, invalid_fields.
"""
import re

from content.texts import text

# Mainland mobile numbers: 11 digits starting 13–19 (MIIT numbering plan).
MOBILE = re.compile(r"^1[3-9]\d{9}$")
# What people put around the digits: spaces, dashes, ASCII and full-width brackets.
DECORATION = re.compile(r"[\s\-()\uff08\uff09]")


def clean(raw: str | None) -> str | None:
    """The 11 digits of a mainland mobile number, or None when `raw` is not one (+86 allowed)."""
    digits = DECORATION.sub("", raw or "")
    digits = re.sub(r"^(\+?86)", "", digits) if len(digits) > 11 else digits
    return digits if MOBILE.match(digits) else None


def problem() -> str:
    """What a form shows beside a phone that `clean` refused."""
    return text("phone.invalid")
