"""Who acts on a write: a person (a user, checked by the app's `permissions`) or the system.

Every service that writes takes a required keyword `by`. There is no default: a forgotten
argument is an error, never a skipped check. Commands, the demo loader, the diagnostic worker
and retention purges pass a `SystemActor` that names them, so that what they write can say who
wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

__all__ = ["Actor", "Person", "SystemActor", "require", "system_only", "user_of"]


@dataclass(frozen=True)
class SystemActor:
    """The system acting on its own: `name` says which part (a command, the demo loader,
    the diagnostic worker, a retention rule)."""

    name: str

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("A system actor names who acts, for example 'demo loader'.")

    def __str__(self) -> str:
        return f"system: {self.name}"


#: A person making a request: signed in or not (anonymous visitors are refused by every check).
Person: TypeAlias = User | AnonymousUser
#: Whoever a write is done by.
Actor: TypeAlias = Person | SystemActor


def require(
    by: Actor,
    allowed: Callable[[Person], bool],
    *,
    refusal: str = "",
    people_only: bool = False,
) -> None:
    """Let the write go on if `by` is the system or a person `allowed` accepts.

    Raises `PermissionDenied` for a person the check refuses, and `TypeError` when `by` is not
    an actor (None included): a caller that forgot to say who acts is a bug, not the system.
    With `people_only` (a write only a person does through a form, whose fields depend on
    their role), the system is refused too. `refusal` is the message of the refusal.
    """
    if isinstance(by, SystemActor):
        if people_only:
            raise TypeError(f"{by} cannot do this: only a person does it, through its form.")
        return
    if not isinstance(by, User | AnonymousUser):
        raise TypeError(
            f"by={by!r} is not an actor: pass the user who acts, or a SystemActor naming "
            "the command or task."
        )
    if not allowed(by):
        raise PermissionDenied(refusal) if refusal else PermissionDenied


def system_only(person: Person) -> bool:
    """A check for writes only the system does (loading areas, purges): no person may."""
    return False


def user_of(by: Actor) -> User | None:
    """The account to record as author of a row (None for the system or an anonymous visitor)."""
    if isinstance(by, User):
        return by
    return None
