from services.common.alembic_env import run
from services.reporting.adapters.orm import metadata

run(metadata)
