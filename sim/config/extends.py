"""``extends:`` chains: a configuration file built on another, merged key by key.

A file may name a base file with a top-level ``extends: base.yaml`` (relative to its own
folder); the base is loaded the same way, recursively, and the extending document is
deep-merged onto it (:func:`merge`): mappings merge key by key, anything else replaces. Each
value keeps the position from the file that supplied it. Cycles and chains deeper than
``max_depth`` are refused at the ``extends`` key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.config.problems import MAX_SHOWN_TEXT, PathKey, Positions, fail, shorten
from sim.config.safe_yaml import MAX_BYTES, load_yaml, unreadable

__all__ = ["EXTENDS_KEY", "load_with_extends", "merge", "without_subtree"]

EXTENDS_KEY = "extends"


def without_subtree(positions: Positions, prefix: PathKey) -> Positions:
    """Return ``positions`` without ``prefix`` and the paths below it.

    Parameters
    ----------
    positions : dict
        Location of each path of a document; it is not modified.
    prefix : tuple of str or int
        The path whose subtree is dropped.

    Returns
    -------
    dict
        A new mapping.
    """
    size = len(prefix)
    return {path: loc for path, loc in positions.items() if path[:size] != prefix}


def merge(
    base: dict[str, Any],
    override: dict[str, Any],
    base_positions: Positions,
    prefix: PathKey = (),
) -> tuple[dict[str, Any], Positions]:
    """Deep-merge ``override`` onto ``base``; drop positions of replaced values.

    Parameters
    ----------
    base : dict
        The document merged onto; it is not modified (its type is kept, so an
        :class:`~sim.config.overrides.Unwritten` mapping stays one).
    override : dict
        The document whose values win.
    base_positions : dict
        Positions of ``base``; they are not modified.
    prefix : tuple of str or int, optional
        Path of ``base`` in the whole document.

    Returns
    -------
    merged : dict
        Mappings merged key by key; any other override value replaces.
    positions : dict
        ``base_positions`` without the paths whose value was replaced.
    """
    merged = type(base)(base)
    for key, value in override.items():
        path = (*prefix, key)
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            merged[key], base_positions = merge(old, value, base_positions, path)
        else:
            base_positions = without_subtree(base_positions, path)
            merged[key] = value
    return merged, base_positions


def _extends_target(data: dict[str, Any], positions: Positions, path: Path) -> Path | None:
    """Return the file named by the ``extends`` key, if any."""
    if EXTENDS_KEY not in data:
        return None
    value = data[EXTENDS_KEY]
    if not isinstance(value, str) or not value.strip():
        location = positions.get((EXTENDS_KEY,))
        raise fail(location, EXTENDS_KEY, "must be the path of a YAML file")
    return path.parent / value.strip()


def _load_chain(
    path: Path, chain: tuple[tuple[Path, str], ...], max_depth: int
) -> tuple[dict[str, Any], Positions]:
    """Load ``path`` and, recursively, the files it extends.

    ``chain`` holds the resolved and displayed names of the files being
    loaded, outermost first, ``path`` included.
    """
    data, positions = load_yaml(path)
    target = _extends_target(data, positions, path)
    if target is None:
        return data, positions
    here = positions[(EXTENDS_KEY,)]
    resolved = _real_path(target)
    seen = [real for real, _ in chain]
    if resolved in seen:
        names = [shown for _, shown in chain[seen.index(resolved) :]]
        raise fail(here, EXTENDS_KEY, f"extends cycle: {' -> '.join([*names, str(target)])}")
    if len(chain) > max_depth:
        raise fail(here, EXTENDS_KEY, f"too many levels of extends (the limit is {max_depth})")
    reason = unreadable(target, MAX_BYTES)
    if reason is not None:
        shown = shorten(str(target), 4 * MAX_SHOWN_TEXT)
        raise fail(here, EXTENDS_KEY, f"cannot extend '{shown}': {reason}")
    base, base_positions = _load_chain(target, (*chain, (resolved, str(target))), max_depth)
    del data[EXTENDS_KEY]
    del positions[(EXTENDS_KEY,)]
    merged, kept = merge(base, data, base_positions)
    return merged, {**kept, **positions}


def load_with_extends(path: str | Path, *, max_depth: int = 10) -> tuple[dict[str, Any], Positions]:
    """Load a YAML mapping, resolving a top-level ``extends: base.yaml``.

    The base file (relative to the extending file's folder) is loaded
    recursively, then the extending document is deep-merged onto it: mappings
    merge key by key, anything else replaces. Each path keeps the location
    from the file that supplied it; a mapping present in both files is located
    in the extending file. The ``extends`` key is removed.

    Parameters
    ----------
    path : str or Path
        The file to load.
    max_depth : int, optional
        Maximum number of ``extends`` levels.

    Returns
    -------
    data : dict
        The merged document.
    positions : dict
        Location of each path of the merged document.

    Raises
    ------
    ConfigError
        If any file fails to load, ``extends`` is not a file name, the files
        extend each other in a cycle or there are too many levels.
    """
    path = Path(path)
    return _load_chain(path, ((_real_path(path), str(path)),), max_depth)


def _real_path(path: Path) -> Path:
    """Return ``path`` with symbolic links resolved, or as it is if they loop."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return path.absolute()
