"""A short run of the fuzzers' inputs (fuzz/, plain random mode): the long runs are in fuzz/README.md."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

FUZZ = Path(__file__).resolve().parents[1] / "fuzz"


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(FUZZ))
    try:
        spec = importlib.util.spec_from_file_location(name, FUZZ / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(FUZZ))


@pytest.mark.parametrize("name", ["fuzz_text", "fuzz_html"])
def test_a_few_seconds_of_mutated_inputs_raise_nothing(name: str) -> None:
    module = _load(name)
    common = sys.modules["_common"]
    runs = common.plain_run(module.one_input, seconds=4, seed=11)
    assert runs > 20  # it ran inputs, and none raised (a crash propagates out of plain_run)
