"""The domain's enums are twins of the contract's: same names on the wire, same numbers.

The domain modules do not import generated code, so each enum they use is
written again in plain Python (services.common.vocabulary and each service's
domain). This test finds every such twin and holds it to its protobuf enum of
the same name, so neither can change without the other.
"""
from __future__ import annotations

import importlib
import inspect
import pathlib

import pytest

from services.common.vocabulary import WireEnum

REPO = pathlib.Path(__file__).resolve().parents[2]
GENERATED = REPO / "proto" / "gen" / "brobygger"


def _domain_modules() -> list[str]:
    mods = ["services.common.vocabulary"]
    for path in sorted((REPO / "services").glob("*/domain/*.py")):
        if path.name != "__init__.py":
            mods.append(".".join(path.relative_to(REPO).with_suffix("").parts))
    return mods


def _twins() -> dict[str, type[WireEnum]]:
    found: dict[str, type[WireEnum]] = {}
    for name in _domain_modules():
        for _, obj in inspect.getmembers(importlib.import_module(name), inspect.isclass):
            if issubclass(obj, WireEnum) and obj is not WireEnum and obj.__module__ == name:
                found[f"{name}.{obj.__name__}"] = obj
    return found


def _proto_enums() -> dict[str, object]:
    enums: dict[str, object] = {}
    for path in GENERATED.rglob("*_pb2.py"):
        module = importlib.import_module(".".join(path.relative_to(GENERATED.parent).with_suffix("").parts))
        for enum_name, descriptor in module.DESCRIPTOR.enum_types_by_name.items():
            enums.setdefault(enum_name, descriptor)
    return enums


TWINS = _twins()


def test_the_domain_has_twins_of_the_shared_enums():
    names = {cls.__name__ for cls in TWINS.values()}
    assert {"Gender", "AgeBand", "ImdiSubgoal"} <= names


@pytest.mark.parametrize("path", sorted(TWINS))
def test_a_twin_has_the_names_and_numbers_of_its_proto_enum(path):
    twin = TWINS[path]
    descriptor = _proto_enums().get(twin.__name__)
    assert descriptor is not None, f"{path} has no protobuf enum named {twin.__name__}"
    proto = {v.name: v.number for v in descriptor.values if v.number != 0}
    assert {m.wire_name: m.value for m in twin} == proto
    assert twin.prefix() + "UNSPECIFIED" == descriptor.values_by_number[0].name


def test_no_domain_module_imports_generated_code_or_settings():
    offenders = []
    for name in _domain_modules():
        source = (REPO / (name.replace(".", "/") + ".py")).read_text()
        for forbidden in ("from brobygger", "import brobygger", "services.common.settings"):
            if forbidden in source:
                offenders.append(f"{name}: {forbidden}")
    assert offenders == []
