"""One error hierarchy, with no HTTP in it: `api/` maps it to status codes."""


class MaillageError(Exception):
    """Base of every error maillage raises on purpose."""


class BadQueryError(MaillageError):
    """A SPARQL query or update that does not parse or cannot run."""


class NotFoundError(MaillageError):
    """A resource, graph or named query that does not exist."""


class LoadError(MaillageError):
    """A source that cannot be loaded; the message names the file, the record and the field."""

    def __init__(self, file: str, where: str, reason: str) -> None:
        self.file, self.where, self.reason = file, where, reason
        super().__init__(f"{file}: {where}: {reason}")


class ShapeViolationError(LoadError):
    """Data that does not conform to the SHACL shapes; `report` is the text report."""

    def __init__(self, file: str, report: str) -> None:
        self.report = report
        super().__init__(file, "SHACL validation", report)
