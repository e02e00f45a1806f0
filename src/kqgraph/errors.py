"""The project's error types: what went wrong, and where, in a form a user can act on.

The command line prints each as one line, `path:line:column: message`, and exits with its
`exit_code` (kqgraph.cli.report); it never shows a traceback for them.
"""

from __future__ import annotations

from os import PathLike


class KqError(Exception):
    """A problem with the user's input (a file, a query, an option), not a bug: exit 2."""

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


class QueryTimeout(KqError):
    """A query, update or push ran past its --timeout: exit 3."""

    exit_code = 3


class EndpointError(KqError):
    """The endpoint could not be reached or refused the request: exit 4."""

    exit_code = 4


class StoreDamaged(KqError):
    """The engine found the persistent store damaged while reading it (rebuilt once)."""
