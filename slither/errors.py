"""The one exception type for problems a user can meet and fix."""


class SlitherError(Exception):
    """A user-facing failure: its message is one actionable line, shown without a traceback."""
