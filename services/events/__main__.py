import sys

from services.common.runner import main
from services.events.bootstrap import build

sys.exit(main("events", build))
