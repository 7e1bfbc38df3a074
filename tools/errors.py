"""The project's error types.

Every error a user can cause (bad audio, unknown genre, missing model) is a
`TastemakerError` whose message says what went wrong and what to do about it.
The CLI and the agent print the message; no traceback reaches the user.
"""


class TastemakerError(Exception):
    """A problem the user can act on; str(error) is the whole message."""


class AudioError(TastemakerError):
    """An audio file that cannot be used: the message names the file."""

    def __init__(self, path: object, problem: str, advice: str = ""):
        self.path = str(path)
        self.problem = problem
        self.advice = advice
        message = f"{self.path}: {problem}"
        if advice:
            message += f" {advice}"
        super().__init__(message)


class ModelMissingError(TastemakerError):
    """Model weights that are not on this machine (and cannot be downloaded)."""


class UnknownLabelError(TastemakerError):
    """A genre, mood or instrument name that the vocabulary does not know."""


class SettingError(TastemakerError):
    """A setting (environment variable or `.env` line) with a value that cannot be used."""
