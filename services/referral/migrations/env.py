from services.common.alembic_env import run
from services.referral.adapters.orm import metadata

run(metadata)
