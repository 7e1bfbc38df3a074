"""The project's error types.

Every error a user can cause (bad audio, unknown genre, missing model) is a
`TastemakerError` whose message says what went wrong and what to do about it.
The CLI and the agent print the message; no traceback reaches the user.
"""

import errno


class TastemakerError(Exception):
    """A problem the user can act on; str(error) is the whole message."""


class AudioError(TastemakerError):
    """An audio file that cannot be used: the message names the file."""

    def __init__(self, path: object, problem: str, advice: str = ""):
        self.path = str(path)
        self.problem = problem
        self.advice = advice
        # the name quoted, the problem a sentence after it: 'passwd: is not audio' read as one garbled name
        verb = problem.split(" ", 1)[0] in ("is", "has", "contains", "cannot", "was", "looks")
        message = f"'{self.path}'{' ' if verb else ': '}{problem}"
        if advice:
            message += f" {advice}"
        super().__init__(message)


def without_name(message: str, name: str) -> str:
    """A file's problem without the name an AudioError starts with, for a line that names the file itself."""
    for prefix in (f"'{name}': ", f"'{name}' ", f"{name}: "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


class ModelMissingError(TastemakerError):
    """Model weights that are not on this machine (and cannot be downloaded)."""


class UnknownLabelError(TastemakerError):
    """A genre, mood or instrument name that the vocabulary does not know."""


class SettingError(TastemakerError):
    """A setting (environment variable or `.env` line) with a value that cannot be used."""


class StorageError(TastemakerError):
    """A file that could not be written (disk full, read-only folder): the message names the file, not its folder."""

    def __init__(self, name: str, why: str):
        self.name, self.why = name, why
        super().__init__(f"Could not save {name}: {why}")


def storage_error(exc: OSError, name: str) -> StorageError:
    """One line for a failed write of `name` (a file name only: server folders are not shown to users)."""
    why = {
        errno.ENOSPC: "the disk is full. Free some space and try again.",
        errno.EDQUOT: "the disk quota is used up. Free some space and try again.",
        errno.EROFS: "its folder is read-only. Choose a folder you can write.",
        errno.EACCES: "its folder is not writable for this user. Choose a folder you can write.",
        errno.EPERM: "its folder is not writable for this user. Choose a folder you can write.",
        errno.ENOENT: "its folder does not exist and cannot be made. Choose another folder.",
        errno.ENOTDIR: "part of its folder path is a file. Choose another folder.",
        errno.EISDIR: "that is a folder. Give a file name.",
    }.get(exc.errno, f"{exc.strerror or type(exc).__name__}.")
    return StorageError(name, why)


class NotReadyYet(TastemakerError):
    """Something is still being prepared (the built-in library's first build): not a failure, a 'not yet'."""
