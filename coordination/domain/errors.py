"""One small error hierarchy; the CLI maps each class to an exit code."""

from __future__ import annotations


class CoordError(Exception):
    """Base of every error coord reports to a user."""

    exit_code = 1

    def __init__(self, zh: str, en: str | None = None) -> None:
        super().__init__(zh)
        self.zh = zh
        self.en = en or zh

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


class InvalidInput(CoordError):
    """The request itself is malformed: empty title, bad date, unknown option value."""

    exit_code = 2


class NotFound(CoordError):
    """A named record does not exist."""

    exit_code = 3


class NotPermitted(CoordError):
    """The acting person may not do this (including unknown or inactive identity)."""

    exit_code = 4


class Unauthenticated(NotPermitted):
    """The credential presented (an access token) is missing, wrong or revoked (HTTP 401)."""


class Conflict(CoordError):
    """The transition is not allowed now, or someone else changed the record first."""

    exit_code = 5


class StaleVersion(Conflict):
    """The record moved on since the caller read it (HTTP 412 when the caller named a version)."""
