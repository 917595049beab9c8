"""Who is acting in the current request, for the audit trail and row-level rules.

Set once per request by the authentication dependency; read wherever a change is recorded.
Outside a request (the CLI, the demo loader) the actor names the command instead.
"""

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str
    # The API operation being carried out, e.g. "depart_convoy"; None outside a request.
    operation: str | None = None
    full_name: str | None = None


SYSTEM = Actor(user_id=None, username="system", role="system")

current_actor: ContextVar[Actor] = ContextVar("current_actor", default=SYSTEM)


def acting(session: Any) -> Actor:
    """The actor of the request a session serves: the authentication dependency puts it on
    the session, since a context variable set in a dependency's thread does not reach the
    endpoint's."""
    actor = session.info.get("actor")
    return actor if isinstance(actor, Actor) else current_actor.get()
