"""The project's one error type: what went wrong, and where, in a form a user can act on."""

from __future__ import annotations

from os import PathLike


class KqError(Exception):
    """A problem with the user's input (a file, a query, an option), not a bug.

    The CLI prints it as one line, `path:line:column: message`, and exits with `exit_code`;
    it never shows a traceback for it.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = [str(part) for part in (self.path, self.line, self.column) if part is not None]
        return ":".join([*where, f" {self.message}"]) if where else self.message
