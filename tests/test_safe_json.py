"""The one JSON parser for what users and clients supply: bounded nesting, finite numbers."""

from __future__ import annotations

import pytest

from studio import safe_json


@pytest.mark.parametrize("data", [b"[" * 200_000, '{"a":' * 5000, b'{"a": ' * 33 + b"1" + b"}" * 33])
def test_deep_nesting_is_a_value_error(data: bytes | str) -> None:
    with pytest.raises(safe_json.JsonTooDeep, match="nested more than 32"):
        safe_json.loads(data)


def test_nesting_up_to_the_limit_parses() -> None:
    assert safe_json.loads(b"[" * 32 + b"]" * 32) is not None
    assert safe_json.loads('{"text": "' + "[" * 10_000 + '"}') == {"text": "[" * 10_000}
    assert safe_json.loads(b"[" + b"[1]," * 50_000 + b"[1]]")[-1] == [1]


@pytest.mark.parametrize("data", [b"NaN", b"[Infinity]", b'{"x": -Infinity}', b"1e400",
                                  b"-2e308"])
def test_non_finite_numbers_are_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        safe_json.loads(data)


def test_other_tools_files_may_hold_nan() -> None:
    value = safe_json.loads(b'{"eps": NaN, "big": 1e400}', finite=False)
    assert value["big"] == float("inf")
    with pytest.raises(ValueError):
        safe_json.loads(b"[" * 100, finite=False)


def test_huge_integers_parse_for_the_schema_to_judge() -> None:
    assert safe_json.loads(b"9" * 4000) == int("9" * 4000)
    with pytest.raises(ValueError):  # beyond Python's own 4300-digit guard
        safe_json.loads(b"9" * 5000)
