"""The error every command raises for an input it refuses (CLI exit 2, API 422)."""

from __future__ import annotations


class OptionError(ValueError):
    """An option's value that the command cannot use.

    ``option`` is the option's name as the API spells it (``parties``,
    ``issue``, ``rounds``); the CLI writes it ``--parties`` (underscores as
    dashes).  ``None`` when the problem is not one option's (the settings as a
    whole).  ``code`` is the API's error code.
    """

    def __init__(self, option: str | None, message: str, code: str = "invalid_request") -> None:
        super().__init__(message)
        self.option, self.message, self.code = option, message, code

    def for_cli(self) -> str:
        """``--OPTION: message``, as ``zopa: error:`` prints it."""
        if self.option is None:
            return self.message
        return f"--{self.option.replace('_', '-')}: {self.message}"

    def for_api(self) -> str:
        """``OPTION: message``, as the API's ``message`` says it."""
        return self.message if self.option is None else f"{self.option}: {self.message}"
