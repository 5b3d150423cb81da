"""Load a configuration file into a pydantic model, every problem located.

:func:`load_model` is the one call a command needs: it reads the YAML file and the files it
``extends:``, applies the ``--set`` overrides and validates the result, reporting every
problem as ``FILE:LINE:COL: field.path: message`` in one :class:`ConfigError`. Each step is a
module of its own, and this one also gives their public names:

* :mod:`sim.config.problems`: :class:`Location`, :class:`Problem`, :class:`ConfigError` and
  the positions of a document (:data:`Positions`, :func:`locate`);
* :mod:`sim.config.safe_yaml`: safe YAML 1.2 reading with positions and size limits
  (:func:`load_yaml`), and writing (:func:`dump_yaml`);
* :mod:`sim.config.extends`: ``extends:`` chains (:func:`load_with_extends`);
* :mod:`sim.config.overrides`: ``--set`` overrides (:func:`apply_overrides`,
  :func:`set_values`, :func:`override_fields`, :func:`leaf_fields`);
* :mod:`sim.config.validation`: located validation errors (:func:`validate`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from sim.config.extends import EXTENDS_KEY, load_with_extends
from sim.config.overrides import apply_overrides, leaf_fields, override_fields, set_values
from sim.config.problems import (
    DOCUMENT_LABEL,
    MAX_SHOWN_PROBLEMS,
    MAX_SHOWN_TEXT,
    ConfigError,
    Location,
    PathKey,
    Positions,
    Problem,
    locate,
)
from sim.config.safe_yaml import (
    MAX_BYTES,
    MAX_NESTING,
    MAX_NUMBER_LENGTH,
    MAX_VALUES,
    dump_yaml,
    load_yaml,
)
from sim.config.validation import MAX_LISTED_FIELDS, ModelT, validate

__all__ = [
    "DOCUMENT_LABEL",
    "EXTENDS_KEY",
    "MAX_BYTES",
    "MAX_LISTED_FIELDS",
    "MAX_NESTING",
    "MAX_NUMBER_LENGTH",
    "MAX_SHOWN_PROBLEMS",
    "MAX_SHOWN_TEXT",
    "MAX_VALUES",
    "ConfigError",
    "Location",
    "PathKey",
    "Positions",
    "Problem",
    "apply_overrides",
    "dump_yaml",
    "leaf_fields",
    "load_model",
    "load_with_extends",
    "load_yaml",
    "locate",
    "override_fields",
    "set_values",
    "validate",
]


def load_model(model_cls: type[ModelT], path: str | Path, overrides: Sequence[str] = ()) -> ModelT:
    """Load, merge, override and validate a YAML configuration file.

    Parameters
    ----------
    model_cls : type of BaseModel
        The model to build.
    path : str or Path
        The YAML file, possibly using ``extends``.
    overrides : sequence of str, optional
        ``dotted.path=value`` overrides applied after loading.

    Returns
    -------
    BaseModel
        The validated model instance.

    Raises
    ------
    ConfigError
        With every problem found, each located.
    """
    data, positions = load_with_extends(path)
    data, positions = apply_overrides(data, positions, overrides)
    return validate(model_cls, data, positions, source=os.fspath(path))
