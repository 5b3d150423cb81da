"""Read the fields of pydantic models: paths, types, defaults, units, sources and bounds.

Every reader of the schema goes through this module: the parameter table (``salesim params``
and docs/MODEL.md), the workshop's levers and the configuration loader (which needs the field
names a mapping accepts and the defaults an override patches).

Two walks are offered:

* :func:`leaves` walks a model class down to its leaf fields, each a :class:`Leaf` with its
  dotted path, annotation, default, unit, source, meaning and allowed values;
* :func:`child_types`, :func:`allowed_fields` and :func:`default_child` follow one path of
  input data (mapping keys and list indices) through the annotations and defaults, across
  ``Annotated``, unions, lists and mappings.

Bounds keep their kind: ``ge``/``le`` are inclusive, ``gt``/``lt`` exclusive
(:class:`Bounds`). A unit is the one a field declares (``json_schema_extra["unit"]``), else
the one its name implies (:data:`UNITS`); a source is the one a field declares
(``json_schema_extra["source"]``).
"""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

__all__ = [
    "NO_DEFAULT",
    "UNITS",
    "Bounds",
    "Leaf",
    "allowed_fields",
    "bounds_of",
    "child_types",
    "default_child",
    "field_at",
    "input_name",
    "is_model",
    "leaf",
    "leaves",
    "members",
    "plain",
    "removed_field",
    "shown",
    "unit_of",
]

#: Unit of a field by the end of its name, first match wins (``_usd_per_month`` before
#: ``_per_month``). Units a name cannot tell are declared on the field.
UNITS: tuple[tuple[str, str], ...] = (
    ("working_days_per_month", "working days/month"),
    ("per_month_transactional", "1/month"),
    ("per_month_consultative", "1/month"),
    ("_with_billing", "clients"),
    ("_travelling", "desks/person"),
    ("protection_strength", "share 0-1"),
    ("_usd_per_month", "USD/month"),
    ("_per_month", "1/month"),
    ("_hours", "hours"),
    ("_months", "months"),
    ("_years", "years"),
    ("_days", "working days"),
    ("_prob", "probability"),
    ("_share", "share 0-1"),
    ("hours_per_day", "hours/day"),
    ("_per_person", "desks/person"),
    ("_clients", "clients"),
    ("_weight", "multiplier"),
    ("_weights", "relative load"),
    ("_factor", "multiplier"),
    ("_multiple", "multiplier"),
    ("_strength", "relative strength"),
    ("_quality", "0-1"),
    ("_satisfaction", "0-1"),
    ("_threshold", "0-1"),
    ("_drop", "0-1"),
    ("_rise", "0-1"),
    ("_gain", "0-1"),
    ("_effect", "share 0-1"),
    ("_load", "x capacity"),
    ("_shape", "Pareto shape"),
    ("hunters", "people"),
    ("generalists", "people"),
    ("specialists", "people"),
    ("prospects", "companies"),
    ("count", "competitors"),
)

#: What :func:`default_child` returns where a path has no default.
NO_DEFAULT: Any = object()


def unit_of(name: str) -> str:
    """Return the unit a field's name implies.

    Parameters
    ----------
    name
        The field's name (the last part of its path), e.g. ``salary_usd_per_month``.

    Returns
    -------
    str
        The unit of the first matching entry of :data:`UNITS`, or ``"-"`` if none matches.
    """
    for suffix, unit in UNITS:
        if name.endswith(suffix):
            return unit
    return "-"


@dataclass(frozen=True)
class Bounds:
    """The numeric range a field allows; each end inclusive (``ge``/``le``) or not (``gt``/``lt``).

    Attributes
    ----------
    low, high : int or float or None
        The lower and upper bound, in the field's unit; ``None`` where the schema sets none.
    low_inclusive, high_inclusive : bool
        Whether the bound itself is allowed (``ge``, ``le``) or refused (``gt``, ``lt``).
    """

    low: float | None = None
    high: float | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True

    def admits(self, value: float) -> bool:
        """Return whether the schema's bounds accept ``value``.

        Parameters
        ----------
        value
            A number in the field's unit.

        Returns
        -------
        bool
            Whether ``value`` is above (or, for an inclusive bound, at) the lower bound and
            below (or at) the upper one, as pydantic checks it: NaN passes no bound.
        """
        if self.low is not None:
            above = value >= self.low if self.low_inclusive else value > self.low
            if not above:
                return False
        if self.high is not None:
            return bool(value <= self.high if self.high_inclusive else value < self.high)
        return True

    def text(self, joiner: str = ", ") -> str:
        """Return the bounds as ``>= 0, <= 1`` (``>`` and ``<`` for exclusive ones).

        Parameters
        ----------
        joiner
            Put between the lower and the upper bound.

        Returns
        -------
        str
            The bounds, lower first; ``""`` if there are none.
        """
        parts = []
        if self.low is not None:
            parts.append(f"{'>=' if self.low_inclusive else '>'} {shown(self.low)}")
        if self.high is not None:
            parts.append(f"{'<=' if self.high_inclusive else '<'} {shown(self.high)}")
        return joiner.join(parts)


def shown(value: Any) -> str:
    """Return a default or a bound as text: floats in ``%g``, sequences comma-separated.

    Parameters
    ----------
    value
        A number, text, boolean, ``None`` or a list or tuple of them.

    Returns
    -------
    str
        ``8.0`` as ``8``, ``1e6`` as ``1e+06``, ``[1.0, 2.0]`` as ``1, 2``, others with ``str``.
    """
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple | list):
        return ", ".join(shown(v) for v in value)
    return str(value)


def bounds_of(metadata: Sequence[Any]) -> Bounds:
    """Return the numeric bounds among a field's constraints.

    Parameters
    ----------
    metadata
        A ``FieldInfo.metadata`` list (``annotated_types.Ge``, ``Gt``, ``Le``, ``Lt`` and
        others, which are ignored).

    Returns
    -------
    Bounds
        The lower and upper bound with their kind; if a field declares two lower (or upper)
        bounds, the last one read.
    """
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            found.update(low=item.ge, low_inclusive=True)
        elif isinstance(item, annotated_types.Gt):
            found.update(low=item.gt, low_inclusive=False)
        elif isinstance(item, annotated_types.Le):
            found.update(high=item.le, high_inclusive=True)
        elif isinstance(item, annotated_types.Lt):
            found.update(high=item.lt, high_inclusive=False)
    return Bounds(**found)


def _lengths(metadata: Sequence[Any]) -> tuple[int | None, int | None]:
    """Return the ``min_length`` and ``max_length`` among a field's constraints."""
    low = high = None
    for item in metadata:
        if isinstance(item, annotated_types.MinLen):
            low = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            high = item.max_length
    return low, high


def _choices(annotation: Any) -> tuple[Any, ...]:
    """Return the values of a ``Literal`` annotation, or ``()`` for any other."""
    if typing.get_origin(annotation) is Literal:
        return typing.get_args(annotation)
    return ()


@dataclass(frozen=True)
class Leaf:
    """One leaf field of a model: where it is, what it holds and what it allows.

    Attributes
    ----------
    path : str
        Dotted path from the root model, e.g. ``letters.letters_per_day``.
    info : FieldInfo
        The pydantic field.
    required : bool
        Whether the field has no default.
    default : Any
        The default value (``None`` for a required field).
    unit : str
        Declared unit, else the one the name implies (:func:`unit_of`), else ``"-"``.
    source : str
        Declared source of the default, else ``"-"``.
    meaning : str
        The description without its ``Source:`` sentence.
    bounds : Bounds
        Numeric bounds of the field (of a list's items: :attr:`item_bounds`).
    choices : tuple
        The allowed values of a ``Literal`` field, else ``()``.
    min_length, max_length : int or None
        Length limits of a text or list field.
    item_bounds : Bounds
        Numeric bounds of each item of a list field.
    item_choices : tuple
        The allowed values of each item of a list of a ``Literal``.
    """

    path: str
    info: FieldInfo
    required: bool
    default: Any
    unit: str
    source: str
    meaning: str
    bounds: Bounds
    choices: tuple[Any, ...]
    min_length: int | None
    max_length: int | None
    item_bounds: Bounds
    item_choices: tuple[Any, ...]

    @property
    def name(self) -> str:
        """Return the last part of the path."""
        return self.path.rsplit(".", 1)[-1]

    @property
    def annotation(self) -> Any:
        """Return the field's type annotation (``int``, ``Literal[...]``, ``list[...]``)."""
        return self.info.annotation

    def allowed(self) -> str:
        """Return the values the field allows, in words.

        Returns
        -------
        str
            Its bounds (``>= 0, <= 1``), its choices (``personal or cold``), its length
            (``up to 2000 characters``; for a list ``3 values, each > 0 and <= 1000``), or
            ``"-"`` where it sets no limit.
        """
        if self.bounds.text():
            return self.bounds.text()
        if self.choices:
            return " or ".join(str(choice) for choice in self.choices)
        if typing.get_origin(self.annotation) is list:
            return self._list_text()
        if self.max_length is not None and self.annotation is str:
            return f"up to {self.max_length} characters"
        return "-"

    def _list_text(self) -> str:
        """Return what a list field allows: its length and each item's values."""
        low, high = self.min_length, self.max_length
        if low is not None and low == high:
            count = f"{low} values"
        elif low is not None and high is not None:
            count = f"{low} to {high} values"
        elif high is not None:
            count = f"up to {high} values"
        elif low is not None:
            count = f"at least {low} values"
        else:
            count = "some values"
        if self.item_bounds.text():
            return f"{count}, each {self.item_bounds.text(' and ')}"
        if self.item_choices:
            return f"{count}, each {' or '.join(str(c) for c in self.item_choices)}"
        return "-" if count == "some values" else count


def _item(annotation: Any) -> tuple[Bounds, tuple[Any, ...]]:
    """Return the bounds and choices of the items of a ``list[...]`` annotation."""
    if typing.get_origin(annotation) is not list:
        return Bounds(), ()
    (item,) = typing.get_args(annotation)
    metadata: list[Any] = []
    if typing.get_origin(item) is typing.Annotated:
        for extra in typing.get_args(item)[1:]:
            metadata.extend(extra.metadata if isinstance(extra, FieldInfo) else [extra])
        item = typing.get_args(item)[0]
    return bounds_of(metadata), _choices(item)


def _extra(info: FieldInfo) -> Mapping[str, Any]:
    """Return a field's ``json_schema_extra`` if it is a mapping, else an empty one."""
    extra = info.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def leaf(path: str, info: FieldInfo) -> Leaf:
    """Describe one field found at ``path``.

    Parameters
    ----------
    path
        Dotted path of the field.
    info
        The pydantic field.

    Returns
    -------
    Leaf
        The field's description.
    """
    extra = _extra(info)
    min_length, max_length = _lengths(info.metadata)
    item_bounds, item_choices = _item(info.annotation)
    required = info.is_required()
    return Leaf(
        path=path,
        info=info,
        required=required,
        default=None if required else info.default,
        unit=str(extra.get("unit") or unit_of(path.rsplit(".", 1)[-1])),
        source=str(extra.get("source", "-")),
        meaning=(info.description or "").split(" Source:")[0],
        bounds=bounds_of(info.metadata),
        choices=_choices(info.annotation),
        min_length=min_length,
        max_length=max_length,
        item_bounds=item_bounds,
        item_choices=item_choices,
    )


def leaves(model: type[BaseModel], prefix: str = "") -> Iterator[Leaf]:
    """Yield every leaf field of a model, depth first in declaration order.

    A field whose annotation is a model class is walked into; every other field is a leaf.

    Parameters
    ----------
    model
        The root model class, e.g. ``sim.config.schema.Scenario``.
    prefix
        Put before every path (``"calendar."`` to walk a section as part of a scenario).

    Yields
    ------
    Leaf
        One per leaf field, required ones included (see :attr:`Leaf.required`).
    """
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if is_model(annotation):
            yield from leaves(annotation, f"{prefix}{name}.")
        else:
            yield leaf(f"{prefix}{name}", info)


def field_at(model: type[BaseModel], path: str) -> Leaf:
    """Return the field of a model found at a dotted path.

    Parameters
    ----------
    model
        The root model class.
    path
        Dotted field names, e.g. ``letters.letters_per_day``.

    Returns
    -------
    Leaf
        The field's description.

    Raises
    ------
    KeyError
        If a part of the path names no field, or a part before the last is not a model.
    """
    *parents, last = path.split(".")
    for part in parents:
        annotation = model.model_fields[part].annotation
        if not is_model(annotation):
            raise KeyError(f"{part} in {path} is not a section")
        model = annotation
    return leaf(path, model.model_fields[last])


# ---------------------------------------------------------------------------
# Following a path of input data
# ---------------------------------------------------------------------------


def members(annotation: Any) -> list[Any]:
    """Return the member types of a union or ``Optional``, ``Annotated`` stripped."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return members(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [member for arg in typing.get_args(annotation) for member in members(arg)]
    return [annotation]


def is_model(annotation: Any) -> typing.TypeGuard[type[BaseModel]]:
    """Return whether ``annotation`` is a pydantic model class."""
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def input_name(name: str, info: FieldInfo) -> str:
    """Return the name a field is written with: its validation alias, alias, else ``name``."""
    if isinstance(info.validation_alias, str):
        return info.validation_alias
    return info.alias or name


def child_types(annotation: Any, part: str | int) -> list[Any]:
    """Return the types that may hold the value found at ``part`` below ``annotation``.

    Parameters
    ----------
    annotation
        The type of the value the part is read in.
    part
        A mapping key (a field's input name) or a list index.

    Returns
    -------
    list
        The annotations of the fields so named in each model member, the item types of each
        sequence member (for an index) and the value types of each mapping member; ``[]`` if
        nothing below ``annotation`` can hold ``part``.
    """
    found: list[Any] = []
    for member in members(annotation):
        origin = typing.get_origin(member)
        args = [arg for arg in typing.get_args(member) if arg is not Ellipsis]
        if is_model(member):
            found.extend(
                info.annotation
                for name, info in member.model_fields.items()
                if part in (name, input_name(name, info))
            )
        elif isinstance(part, int) and origin in (list, tuple, set, frozenset, Sequence):
            found.extend(args)
        elif origin in (dict, Mapping) and len(args) == 2:
            found.append(args[1])
    return found


def allowed_fields(model: type[BaseModel], path: Sequence[str | int]) -> list[str]:
    """Return the field names accepted by the model(s) found at a path of input data.

    Parameters
    ----------
    model
        The root model class.
    path
        Mapping keys and list indices from the root.

    Returns
    -------
    list of str
        The input names of the fields, in declaration order, each once; ``[]`` if no model
        can be found at ``path``.
    """
    annotations: list[Any] = [model]
    for part in path:
        annotations = [child for ann in annotations for child in child_types(ann, part)]
    names: list[str] = []
    for annotation in annotations:
        for member in members(annotation):
            if is_model(member):
                names.extend(input_name(n, i) for n, i in member.model_fields.items())
    return list(dict.fromkeys(names))


def removed_field(model: type[BaseModel], path: Sequence[str | int], name: str) -> str | None:
    """Return what replaced a field that the model(s) at a path of input data no longer have.

    A section lists its removed fields in the class attribute ``removed_fields`` (name to a
    message saying what to use instead).

    Parameters
    ----------
    model
        The root model class.
    path
        Mapping keys and list indices from the root to the section holding ``name``.
    name
        The field name found in the input.

    Returns
    -------
    str or None
        The message, or None if no model at ``path`` lists ``name`` as removed.
    """
    annotations: list[Any] = [model]
    for part in path:
        annotations = [child for ann in annotations for child in child_types(ann, part)]
    for annotation in annotations:
        for member in members(annotation):
            removed = getattr(member, "removed_fields", {}) if is_model(member) else {}
            if name in removed:
                return str(removed[name])
    return None


def default_child(default: Any, key: str | int) -> Any:
    """Return the default value found at ``key`` below a default.

    Parameters
    ----------
    default
        A model class (the root: its fields' defaults), a model instance, a mapping, a list
        or a tuple.
    key
        A field's name or input name, a mapping key or a list index.

    Returns
    -------
    Any
        The default there; :data:`NO_DEFAULT` for a required field, a key that names nothing
        or an index out of range. A default factory is called.
    """
    if (isinstance(default, type) and is_model(default)) or isinstance(default, BaseModel):
        model = default if isinstance(default, type) else type(default)
        for name, info in model.model_fields.items():
            if key in (name, input_name(name, info)):
                if isinstance(default, BaseModel):
                    return getattr(default, name)
                if info.is_required():
                    return NO_DEFAULT
                return info.get_default(call_default_factory=True)
        return NO_DEFAULT
    if isinstance(default, dict):
        return default.get(key, NO_DEFAULT)
    if isinstance(default, list | tuple) and isinstance(key, int) and 0 <= key < len(default):
        return default[key]
    return NO_DEFAULT


def plain(value: Any) -> Any:
    """Return a fresh copy of a default value as input data (a model by alias, a tuple a list)."""
    if isinstance(value, BaseModel):
        return value.model_dump(by_alias=True)
    if isinstance(value, tuple):
        return list(value)
    return copy.deepcopy(value)
