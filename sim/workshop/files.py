"""The scenario files a workshop offers, and the only files it loads.

The name of a scenario comes from the browser, so it is treated as hostile: the server lists
the folder itself and loads a file only when its name is one it listed. Every other value
(a path, ``../``, a file that is not there, a folder, something that is not text) is refused
with one and the same message, which quotes nothing of the value or of any file, so a visitor
can neither read a file nor learn whether a path exists.
"""

from __future__ import annotations

from pathlib import Path

from sim.config.loader import ConfigError, Problem, load_model
from sim.config.schema import Scenario

SUFFIX = ".yaml"
NOT_OFFERED = "not one of the scenarios offered here; pick one from the list"


def offered(folder: Path) -> dict[str, Path]:
    """List the scenario files a visitor may pick, by name, with the file each one loads.

    A file is offered when its name ends in ``.yaml``, does not start with a dot and is
    printable text, and when it resolves (symbolic links followed) to a regular file inside
    ``folder`` (itself resolved). A link to a file outside the folder, a broken or looping
    link, and a folder are not offered.

    Parameters
    ----------
    folder : Path
        The scenario folder.

    Returns
    -------
    dict of str to Path
        Each offered name and the resolved path of its file, sorted by name.
    """
    try:
        root = folder.resolve(strict=True)
        entries = list(root.iterdir())
    except (OSError, RuntimeError):  # missing, unreadable, or a link that loops
        return {}
    files: dict[str, Path] = {}
    for entry in entries:
        name = entry.name
        if not name.endswith(SUFFIX) or name.startswith(".") or not name.isprintable():
            continue
        try:
            target = entry.resolve(strict=True)
            regular = target.is_file()
        except (OSError, RuntimeError):
            continue
        if regular and target.is_relative_to(root):
            files[name] = target
    return dict(sorted(files.items()))


def load_offered(folder: Path, name: object) -> Scenario:
    """Load the scenario file ``name`` if the folder offers it now; refuse any other value.

    Parameters
    ----------
    folder : Path
        The scenario folder.
    name : object
        The name the browser sent (any value).

    Returns
    -------
    Scenario
        The loaded scenario.

    Raises
    ------
    ConfigError
        ``NOT_OFFERED`` for any value that is not an offered name (the same message for all),
        or the loader's located problems for an offered file that is not a valid scenario.
    """
    path = offered(folder).get(name) if isinstance(name, str) else None
    if path is None:
        raise ConfigError([Problem(None, "scenario", NOT_OFFERED)])
    return load_model(Scenario, path)
