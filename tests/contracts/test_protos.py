"""The contracts: generated code is fresh and the protos pass buf's STANDARD
lint (with the AIP exceptions written down in buf.yaml)."""
from __future__ import annotations

import pathlib
import subprocess

from brobygger.membership.v1 import membership_pb2
from brobygger.type.v1 import types_pb2
from services.common import protogen

REPO = pathlib.Path(__file__).resolve().parents[2]
BUF = REPO / "proto" / "tools" / "node_modules" / ".bin" / "buf"


def test_generated_code_is_fresh():
    assert protogen.check(REPO / "proto" / "gen") == [], "run `make proto` and commit proto/gen"


def test_buf_lint_passes():
    assert BUF.exists(), "buf is not installed: run `make test` (or `npm install --prefix proto/tools --no-package-lock`)"
    result = subprocess.run([str(BUF), "lint"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_buf_lint_catches_a_broken_contract(tmp_path):
    # The linter is live: a contract with a bad enum zero value fails it.
    (tmp_path / "proto" / "brobygger" / "bad" / "v1").mkdir(parents=True)
    (tmp_path / "buf.yaml").write_text((REPO / "buf.yaml").read_text())
    (tmp_path / "proto" / "brobygger" / "bad" / "v1" / "bad.proto").write_text(
        'syntax = "proto3";\npackage brobygger.bad.v1;\nenum Colour { RED = 0; }\n')
    result = subprocess.run([str(BUF), "lint"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "UNSPECIFIED" in result.stdout


def test_enum_zero_values_are_unspecified():
    for enum in (types_pb2.Gender, types_pb2.AgeBand, types_pb2.ImdiSubgoal, membership_pb2.PaymentState):
        assert enum.Name(0).endswith("_UNSPECIFIED")
