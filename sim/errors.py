"""The errors the ``salesim`` command reports in one line, by exit code.

They live here, apart from the modules that raise them, so that the command can tell them
apart without importing those modules (and pandas, Dask or Mesa with them) before it needs to.
"""


class FolderBusyError(Exception):
    """Another salesim command is writing the results folder."""


class WriteError(Exception):
    """Results could not be written (a full disk, say); what was stored before is kept."""


class StudyError(Exception):
    """A study cannot run as asked (an unusable output folder, say); exit 2 on the command."""


class StudyStoppedError(Exception):
    """A study stopped before its end: its results could not be written, or it lost its workers.

    A full disk, say, or a Dask cluster that lost every worker. The finished runs are kept, and
    running the study again resumes it. Exit 3 on the command.
    """


class SchedulerError(Exception):
    """The Dask scheduler cannot be reached or its workers cannot run salesim."""
