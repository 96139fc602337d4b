"""Generate Python code from proto/brobygger into proto/gen, or check that it is fresh.

    python -m services.common.protogen proto/gen          # regenerate
    python -m services.common.protogen --check proto/gen  # exit 1 when stale
"""
from __future__ import annotations

import argparse
import filecmp
import pathlib
import shutil
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROTO_ROOT = ROOT / "proto"


def generate(out: pathlib.Path) -> None:
    from grpc_tools import protoc
    import grpc_tools

    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in (PROTO_ROOT / "brobygger").rglob("*.proto"))
    include = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    out.mkdir(parents=True, exist_ok=True)
    args = [
        "protoc",
        f"-I{PROTO_ROOT}",
        f"-I{include}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed; see the messages above")
    for directory in [out / "brobygger", *(p for p in (out / "brobygger").rglob("*") if p.is_dir())]:
        (directory / "__init__.py").touch()


def _tree(root: pathlib.Path) -> dict[str, pathlib.Path]:
    return {
        str(p.relative_to(root)): p
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def check(out: pathlib.Path) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = pathlib.Path(tmp) / "gen"
        generate(fresh)
        want, have = _tree(fresh), _tree(out) if out.exists() else {}
        problems = [f"missing: {k}" for k in sorted(want.keys() - have.keys())]
        problems += [f"not generated from any .proto: {k}" for k in sorted(have.keys() - want.keys())]
        problems += [
            f"stale: {k}" for k in sorted(want.keys() & have.keys())
            if not filecmp.cmp(want[k], have[k], shallow=False)
        ]
        return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("out", type=pathlib.Path)
    args = parser.parse_args(argv)
    out = args.out if args.out.is_absolute() else ROOT / args.out
    if args.check:
        problems = check(out)
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            print("proto/gen is stale: run `make proto` and commit the result", file=sys.stderr)
            return 1
        print("proto/gen is fresh")
        return 0
    shutil.rmtree(out / "brobygger", ignore_errors=True)
    generate(out)
    print(f"generated {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
