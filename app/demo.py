"""Demo data: the first Water4Ukraine convoy (placeholder until the domains land)."""

from sqlalchemy import Engine


def load_if_empty(engine: Engine) -> bool:
    return False
