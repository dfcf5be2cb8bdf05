"""Reading record YAML: the plain build gives exactly what PyYAML's own safe constructor
gives (timestamps kept as text), and anything unusual is read, or refused, as PyYAML does."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml.constructor import BaseConstructor
from yaml.resolver import BaseResolver

from forecastbook import yamltext
from forecastbook.yamltext import RecordSyntaxError, locate, parse_yaml


class _PyYAMLsOwn(yamltext._Loader):
    """The same loader with PyYAML's resolver and constructor left as they are."""

    resolve = BaseResolver.resolve
    descend_resolver = BaseResolver.descend_resolver
    ascend_resolver = BaseResolver.ascend_resolver
    get_single_data = BaseConstructor.get_single_data


def _outcome(loader_class: type, text: str) -> tuple:
    """What reading ``text`` gives: the data written out with its types, and duplicate
    keys with their places; or the error."""
    loader = loader_class(text)
    try:
        data = loader.get_single_data()
        return "read", _typed(data), [(key, m.line, m.column) for key, m in loader.duplicates]
    except (yaml.YAMLError, ValueError) as exc:
        return "refused", type(exc).__name__, str(exc)
    finally:
        loader.dispose()


def _typed(value: object) -> object:
    """``value`` with every type spelled out: True, 1 and 1.0 are equal in Python."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple, set)):
        items = sorted(value, key=repr) if isinstance(value, set) else value
        return (type(value).__name__, [_typed(v) for v in items])
    return (type(value).__name__, repr(value))


SCALARS = [
    "plain text", "yes", "No", "ON", "off", "y", "n", "true", "False", "~", "null", "Null", "", "0", "-0", "017",
    "0o17", "0x1F", "0b101", "1_000", "+12", "1:30", "190:20:30.15", "0.5", "0.50", ".5", "-.5", "1e5", "1.5e-3",
    "6.8523015e+5", "1_0.5", ".inf", "-.Inf", "+.INF", ".NaN", ".nan", "2026-01-01", "2026-01-01T10:00:00Z",
    "2001-12-14 21:59:43.10 -5", "'single'", '"double"', '"2026-01-01"', "'0.5'", "!!str 5", "!!int '7'",
    "!!float 1", "!!bool yes", "!!null ''", "!!timestamp 2026-01-01", "!!binary aGVsbG8=", "!!str", "=",
    "!!python/name:os.system", "!custom x", "a: b", "[1, 2", "{a: 1, a: 2}", "'it''s'", "'#not a comment'",
    "value # a comment", "@reserved", "`tick", "|\n  kept\n  lines", ">\n  folded\n  text", "12345678901234567890",
    "!!int x", "!!bool maybe", "!!int ''", "!!float ''", "1:2:3:4:5",
]
KEYS = ["a", "b", "id", "0.5", "0.50", "1", "true", "yes", "~", "null", "<<", "=", "'a'", "[a, b]", "{x: 1}",
        "2026-01-01", "!!int 1", "!!str 1", "? x"]


def _block(depth: int) -> st.SearchStrategy[str]:
    """YAML text in block style, nested to ``depth``, with tricky scalars and keys."""
    scalar = st.sampled_from(SCALARS)
    if depth == 0:
        return scalar.map(lambda s: s.replace("\n", "\n" + " " * 2 * 3))

    def mapping(pairs: list[tuple[str, str]]) -> str:
        return "\n".join(f"{k}:{_nested(v)}" for k, v in pairs)

    def sequence(items: list[str]) -> str:
        return "\n".join(f"-{_nested(v)}" for v in items)

    inner = _block(depth - 1)
    return st.one_of(
        scalar,
        st.lists(st.tuples(st.sampled_from(KEYS), inner), min_size=1, max_size=4).map(mapping),
        st.lists(inner, min_size=1, max_size=4).map(sequence),
        st.lists(st.sampled_from(SCALARS[:40]), max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(st.sampled_from(KEYS[:12]), st.sampled_from(SCALARS[:40])), max_size=4)
        .map(lambda ps: "{" + ", ".join(f"{k}: {v}" for k, v in ps) + "}"),
    )


def _nested(text: str) -> str:
    """``text`` as the value after a key or a dash: on the same line, or indented below."""
    if "\n" not in text and not text.startswith(("-", "? ")) and ": " not in text:
        return " " + text
    return "\n" + "\n".join("  " + line for line in text.split("\n"))


@settings(max_examples=600, deadline=None)
@given(_block(3))
def test_the_plain_build_reads_every_text_as_pyyamls_constructor_does(text):
    assert _outcome(yamltext._Loader, text) == _outcome(_PyYAMLsOwn, text)


def test_what_the_plain_build_leaves_to_pyyaml_is_read_or_refused_as_pyyaml_does():
    texts = [
        "a: 1\na: 2\nb: [x, {c: 1, c: 2}]\n",  # repeated keys, noted with their places
        "0.5: x\n0.50: y\n",  # one key, as YAML reads it
        "<<: {a: 1, b: 2}\nb: 3\n",  # a merge key
        "a: !!binary aGVsbG8=\nb: !!set {x, y}\nc: !!omap [x: 1]\n",  # explicit tags PyYAML knows
        "a: !!python/name:os.system\n",  # a tag the safe constructor refuses
        "? [a, b]\n: 1\n",  # an unhashable key, refused
        "1: one\ntrue: yes\n~: none\n2026-01-01: day\n",  # keys that are not text
    ]
    for text in texts:
        ours = _outcome(yamltext._Loader, text)
        assert ours == _outcome(_PyYAMLsOwn, text), text
    assert _outcome(yamltext._Loader, texts[0])[2] == [("a", 1, 0), ("c", 2, 14)]
    assert _outcome(yamltext._Loader, texts[2])[:2] == ("read", _typed({"a": 1, "b": 3}))
    assert _outcome(yamltext._Loader, texts[4])[:2] == ("refused", "ConstructorError")


def test_lists_nested_as_deep_as_libyaml_allows_are_read_whole():
    depth = 998  # deeper than Python's recursion limit lets the plain build go
    value = parse_yaml("a: " + "[" * depth + "x" + "]" * depth + "\n")[0]["a"]
    for _ in range(depth):
        assert isinstance(value, list) and len(value) == 1
        value = value[0]
    assert value == "x"


def test_timestamps_stay_text_and_aliases_are_refused():
    assert parse_yaml("at: 2026-02-13T11:51:37+08:00\nd: 2026-02-13\n")[0] == {
        "at": "2026-02-13T11:51:37+08:00", "d": "2026-02-13"}
    try:
        parse_yaml("a: &x [1]\nb: *x\n")
    except RecordSyntaxError as exc:
        assert (exc.line, exc.col) == (1, 4)
    else:
        raise AssertionError("an alias was read")


def test_a_field_is_placed_by_its_key_as_written_or_as_the_number_it_reads_as():
    text = "id: q\nquantiles:\n  0.10: 3\n  0.50: 5\nforecasts:\n- by: ana\n  probability: 2\n"
    assert locate(text, ("quantiles", 0.5)) == (4, 9)  # 0.50 as written, 0.5 as read
    assert locate(text, ("quantiles", 0.5, "[key]")) == (4, 3)
    assert locate(text, ("forecasts", 0, "probability")) == (7, 16)
    assert locate(text, ("forecasts", 0, "missing")) == (6, 3)  # the enclosing mapping
    assert locate(text, ("nothing", "here")) == (1, 1)
    assert locate("? [a]\n: 1\nb: 2\n", ("b",)) == (3, 4)  # beside a complex key


def test_a_file_with_several_problems_is_refused_for_the_one_pyyaml_meets_first():
    for text in ["a: [!!int x]\nb: !foo y\n", "b: !!int x\n<<: 1\n", "a: [!!bool x]\nb: !foo y\n",
                 "- [!!int '']\n- !foo y\n"]:
        ours = _outcome(yamltext._Loader, text)
        assert ours == _outcome(_PyYAMLsOwn, text) and ours[:2] == ("refused", "ConstructorError"), text
    assert _outcome(yamltext._Loader, "a: [!!int x]\n")[1:] == ("RecordSyntaxError", "cannot read a number: 'x' "
                                                               "(invalid literal for int() with base 10: 'x')")
