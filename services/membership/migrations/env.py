from services.common.alembic_env import run
from services.membership.adapters.orm import metadata

run(metadata)
