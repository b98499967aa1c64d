"""The one base of every capability's refusal; the API and the console each map it once."""


class Refused(ValueError):
    """A request a capability will not carry out, with why: a code, a message for people,
    the fields at fault and the HTTP status the API answers with."""

    status = 400

    def __init__(self, message: str = "", code: str = "refused", fields: dict | None = None,
                 status: int | None = None):
        super().__init__(message)
        self.code, self.message, self.fields = code, message, fields or {}
        if status is not None:
            self.status = status
