"""The project's error: a refusal with a message a user can read (on pages, or JSON in the API)."""


class LinliError(Exception):
    """A refused action. ``message`` is already translated for the user; ``code`` is stable
    for programs."""

    status = 400

    def __init__(self, message, *, code: str = "invalid"):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code


class ConflictError(LinliError):
    status = 409


class ForbiddenError(LinliError):
    """The object is visible to the user, but this action is not theirs to take."""

    status = 403
