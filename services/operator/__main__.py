"""``python -m services.operator <command>``: finds the commands (modules of this package with register())."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import services.operator as package
from services.common.settings import exit_on_config_error


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m services.operator",
        description="Commands for the operator of a node. They talk to the node's services over gRPC with the "
                    "node's service credentials (BROBYGGER_ORG, BROBYGGER_SERVICE_CLIENT_ID and _SECRET, "
                    "BROBYGGER_OIDC_ISSUER, BROBYGGER_MEMBERSHIP_ADDRESS...).")
    commands = top.add_subparsers(dest="command", metavar="command", required=True)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(commands)
    return top


@exit_on_config_error
def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
