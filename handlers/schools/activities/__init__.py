"""School activities for pupils and their families: what schools publish, who enrols, who came.

catalogue  activities of a school, and which of them a family may see
enrolment  places, the waiting list, cancellation and promotion (row lock on the activity)
checkin    the rotating check-in code, attendance, and volunteer hours for it
figures    per-activity figures and their roll-up to street, district and city
"""
from content.activity_texts import text
from handlers.errors import Refused

# What each refusal is, as an HTTP status (400 otherwise).
STATUS = {"activity_not_found": 404, "not_enrolled": 404, "no_family": 404, "already_enrolled": 409,
          "deadline_passed": 409, "activity_cancelled": 409, "already_started": 409,
          "checkin_closed": 409, "checkin_waitlisted": 409, "checkin_code_wrong": 400,
          "too_many_people": 400, "children_required": 400, "no_cover": 404,
          "capacity_below_enrolled": 409}


class ActivityError(Refused):
    """A refusal with a code the API and the console answer with, and a text for people."""

    def __init__(self, code: str, fields: dict | None = None, **values):
        super().__init__(text(f"errors.{code}", **values), code, fields, STATUS.get(code, 400))
