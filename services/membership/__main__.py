import sys

from services.common.runner import main
from services.membership.bootstrap import build

sys.exit(main("membership", build))
