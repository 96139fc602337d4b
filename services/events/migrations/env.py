from services.common.alembic_env import run
from services.events.adapters.orm import metadata

run(metadata)
