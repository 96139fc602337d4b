import sys

from services.common.runner import main
from services.referral.bootstrap import build

sys.exit(main("referral", build))
