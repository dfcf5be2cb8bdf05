"""The YAML text of records: parsing it safely and fast, and placing a field in it.

:func:`parse_yaml` reads a record with PyYAML's C parser and YAML 1.1's rules as PyYAML
applies them, except that timestamps stay text (pydantic parses them into the field's
own type). Plain records (mappings, lists, strings, numbers, booleans, nulls) are built
straight from the parsed nodes; anything else (explicit tags, merge keys, repeated or
unhashable keys) goes through PyYAML's own constructor, so it is read, or refused, as
PyYAML reads it. Numbers and booleans PyYAML cannot read (``!!bool maybe``, thousands of
digits), or would read in quadratic time (sexagesimal numbers of five parts or more), are
refused with their place.

>>> parse_yaml("a: 1\\nb: [yes, '2', 2026-01-01]\\n")
({'a': 1, 'b': [True, '2', '2026-01-01']}, [])
>>> locate("a: 1\\nb:\\n  - x: 2\\n", ("b", 0, "x"))
(3, 8)
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .problems import Loc, shorten

__all__ = ["parse_yaml", "locate", "RecordSyntaxError"]

try:
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader  # type: ignore[misc]

_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ, _TIMESTAMP = _TAG + "str", _TAG + "map", _TAG + "seq", _TAG + "timestamp"
_WILDCARD = tuple(_BaseLoader.yaml_implicit_resolvers.get(None, ()))
_IMPLICIT = {first: (*rules, *_WILDCARD) for first, rules in _BaseLoader.yaml_implicit_resolvers.items()
             if first is not None}


class RecordSyntaxError(ValueError):
    """YAML that parses but that a record must not hold, with where it is."""

    def __init__(self, message: str, line: int, col: int):
        super().__init__(message)
        self.line, self.col = line, col


class _Unusual(Exception):
    """A node the plain build leaves to PyYAML's constructor."""


class _Resolving(_BaseLoader):  # type: ignore[misc, valid-type]
    """The C loader without path resolvers (records use none): PyYAML calls these two
    hooks for every node, which is a tenth of a load."""

    def descend_resolver(self, current_node, current_index):  # noqa: ANN001, ANN201, ARG002
        return None

    def ascend_resolver(self):  # noqa: ANN201
        return None


class _Loader(_Resolving):
    """The safe C loader, noting duplicate keys (PyYAML keeps the last one silently)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[str, Any]] = []

    def resolve(self, kind, value, implicit):  # noqa: ANN001, ANN201
        """PyYAML's implicit rules for a plain scalar, looked up by its first character."""
        if kind is ScalarNode:
            if implicit[0]:
                for tag, pattern in _IMPLICIT.get(value[:1], _WILDCARD):
                    if pattern.match(value):
                        return tag
            return _STR
        return _SEQ if kind is SequenceNode else _MAP

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        try:
            return self._plain(node)
        except (_Unusual, RecursionError, RecordSyntaxError):  # the last: PyYAML may meet another problem first
            return self.construct_document(node)

    def _plain(self, node: yaml.Node) -> Any:
        """The value of a node of plain data, as PyYAML's safe constructor builds it."""
        tag, kind = node.tag, type(node)
        if kind is ScalarNode:
            if tag == _STR or tag == _TIMESTAMP:
                return node.value
            builder = self._SCALARS.get(tag)
            if builder is None:
                raise _Unusual
            return builder(self, node)
        if kind is MappingNode and tag == _MAP:
            mapping = {}
            for key_node, value_node in node.value:
                if key_node.tag == _STR and type(key_node) is ScalarNode:
                    key = key_node.value
                else:
                    key = self._plain(key_node)
                    try:
                        hash(key)
                    except TypeError:
                        raise _Unusual from None
                mapping[key] = self._plain(value_node)
            if len(mapping) != len(node.value):  # a key came twice: noted by construct_mapping
                raise _Unusual
            return mapping
        if kind is SequenceNode and tag == _SEQ:
            return [self._plain(item) for item in node.value]
        raise _Unusual

    _SCALARS: dict[str, Any] = {}  # filled below, with the constructors PyYAML's path uses too

    def construct_mapping(self, node, deep=False):  # noqa: ANN001, ANN201
        mapping = super().construct_mapping(node, deep)
        if len(mapping) != len(node.value):  # fewer keys than pairs: some key came twice
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node)  # 0.5 and 0.50 are one key, as YAML reads them
                try:
                    if key in seen:
                        self.duplicates.append((str(key_node.value)[:80], key_node.start_mark))
                    seen.add(key)
                except TypeError:  # an unhashable key: the constructor has refused it already
                    continue
        return mapping


# Timestamps stay text: pydantic parses them (in Rust) into the field's own type, which is
# faster than PyYAML's regex constructor and never turns a title like "2026-01-01" into a date.
_Loader.add_constructor(_TIMESTAMP, lambda loader, node: loader.construct_scalar(node))

_MAX_SEXAGESIMAL_PARTS = 4  # 190:20:30.15 has three; PyYAML reads N parts in time N squared


def _read_or_refuse(construct: Any, what: str) -> Any:
    """PyYAML's constructor of a number or boolean, refusing with its place what it cannot
    read (``!!bool x``, ``!!int ''``, thousands of digits) or reads in quadratic time."""
    def read(loader: _Loader, node: yaml.Node) -> Any:
        value = node.value
        if isinstance(value, str) and value.count(":") >= _MAX_SEXAGESIMAL_PARTS:
            raise _unreadable(node, what, f"{value.count(':') + 1} parts separated by ':'")
        try:
            return construct(loader, node)
        except (ValueError, KeyError, IndexError) as exc:
            digits = sum(c.isdigit() for c in value) if isinstance(value, str) else 0
            why = f"{digits} digits: Python reads at most {sys.get_int_max_str_digits()}" \
                if digits > sys.get_int_max_str_digits() > 0 else str(exc) if isinstance(exc, ValueError) else ""
            raise _unreadable(node, what, why) from None
    return read


def _unreadable(node: yaml.Node, what: str, why: str) -> RecordSyntaxError:
    mark = node.start_mark
    because = f" ({why[:120]})" if why else ""
    return RecordSyntaxError(f"cannot read {what}: {shorten(node.value, 40)}{because}", mark.line + 1, mark.column + 1)


for _kind, _construct, _what in (("float", _BaseLoader.construct_yaml_float, "a number"),
                                 ("int", _BaseLoader.construct_yaml_int, "a number"),
                                 ("bool", _BaseLoader.construct_yaml_bool, "a boolean")):
    _Loader._SCALARS[_TAG + _kind] = _read_or_refuse(_construct, _what)
    _Loader.add_constructor(_TAG + _kind, _Loader._SCALARS[_TAG + _kind])
_Loader._SCALARS[_TAG + "null"] = _BaseLoader.construct_yaml_null


def _refuse_aliases(text: str) -> None:
    """Records hold no anchors or aliases: a few bytes of nested aliases expand to more
    than any message, history copy or edit can hold (a 'billion laughs')."""
    if "&" not in text and "*" not in text:  # the common case costs nothing
        return
    for event in yaml.parse(text, Loader=_BaseLoader):
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor is not None:
            mark = event.start_mark
            raise RecordSyntaxError("anchors and aliases (&name, *name) are not allowed in records",
                                    mark.line + 1, mark.column + 1)


def parse_yaml(text: str) -> tuple[Any, list[tuple[str, Any]]]:
    """Parse YAML safely; returns the data and any duplicate keys with their marks.

    Raises ``yaml.YAMLError`` for malformed YAML and :class:`RecordSyntaxError` for YAML a
    record must not hold (anchors and aliases; numbers and booleans that cannot be read,
    such as ``!!bool maybe`` or thousands of digits).

    >>> parse_yaml("p: 0.5\\np: 0.6\\n")[1][0][0]
    'p'
    """
    _refuse_aliases(text)
    loader = _Loader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def _as_number(text: object) -> float | None:
    try:
        return float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class _NodeLoader(_Resolving):
    """Composes nodes without resolving scalar tags: placing a problem needs only the
    tree, its keys as written and their marks (resolving tags is most of compose's time)."""

    def resolve(self, kind, value, implicit):  # noqa: ANN001, ANN201, ARG002
        return _STR


@functools.lru_cache(maxsize=16)
def _compose(text: str) -> yaml.Node | None:
    """The node tree of a text with problems (kept: a file often has several to place)."""
    try:
        return yaml.compose(text, Loader=_NodeLoader)
    except yaml.YAMLError:
        return None


def _pair(node: yaml.MappingNode, part: object) -> tuple[yaml.Node, yaml.Node] | None:
    """The first (key, value) of ``node`` whose key is ``part`` as written or, for a
    number, as YAML reads it (quantile levels: 0.50 and 0.5 are one key). Keys as written
    are indexed once per node: a file with thousands of problems is placed in linear time."""
    number = _as_number(part)
    if number is not None:
        text = str(part)
        return next(((k, v) for k, v in node.value if k.value == text or _as_number(k.value) == number), None)
    index = getattr(node, "_by_key", None)
    if index is None:
        index = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):  # a complex key is no field's name
                index.setdefault(key_node.value, (key_node, value_node))
        node._by_key = index  # type: ignore[attr-defined]
    return index.get(str(part))


def locate(text: str, loc: Loc) -> tuple[int, int]:
    """Line and column (1-based) of the field at ``loc`` in a YAML text.

    Points at the value when the field is there, at its key for a key problem, and at
    the nearest enclosing mapping when the field is missing.

    >>> locate("a: 1\\nb:\\n  - x: 2\\n", ("b", 0, "x"))
    (3, 8)
    """
    node = _compose(text)
    if node is None:
        return (1, 1)
    mark = node.start_mark
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        if part == "[key]":
            break
        if isinstance(node, yaml.MappingNode):
            pair = _pair(node, part)
            if pair is None:
                break
            key_node, value_node = pair
            if parts and parts[0] == "[key]":
                mark, node = key_node.start_mark, key_node
            else:
                mark, node = value_node.start_mark, value_node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1
