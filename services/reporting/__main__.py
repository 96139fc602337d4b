"""python -m services.reporting [migrate|serve|consume|run]   a node's reporting service
python -m services.reporting hub                             the federation hub (FederationService)
"""
import sys

from services.common.runner import main
from services.reporting.bootstrap import build, build_hub


def _main(argv: list[str]) -> int:
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__.strip())
        return 0
    if argv[:1] == ["hub"]:
        if len(argv) > 1:
            print("usage: python -m services.reporting hub  (configured by the environment)", file=sys.stderr)
            return 2
        return main("hub", build_hub, ["serve"], needs_org=False)
    return main("reporting", build, argv)


sys.exit(_main(sys.argv[1:]))
