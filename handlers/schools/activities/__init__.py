"""School activities for pupils and their families: what schools publish, who enrols, who came.

catalogue  activities of a school, and which of them a family may see
enrolment  places, the waiting list, cancellation and promotion (row lock on the activity)
checkin    the rotating check-in code, attendance, and volunteer hours for it
figures    per-activity figures and their roll-up to street, district and city
"""
from content.activity_texts import text


class ActivityError(Exception):
    """A refusal with a code the API and the console answer with, and a text for people."""

    def __init__(self, code: str, fields: dict | None = None, **values):
        super().__init__(text(f"errors.{code}", **values))
        self.code, self.fields = code, fields
