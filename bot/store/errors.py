"""What the store refuses or fails with; each `str()` is one sentence an operator can act on."""

from __future__ import annotations

__all__ = ["ActiveRequestExists", "EmergencyCapReached", "StoreError", "UnsupportedDatabaseUrl"]


class StoreError(Exception):
    """Base of the store's errors."""


class UnsupportedDatabaseUrl(StoreError):
    """`DATABASE_URL` names a database dbops cannot use (reported at start-up, never with a password)."""


class ActiveRequestExists(StoreError):
    """Another live request already targets the same resource; `existing_id` names it."""

    def __init__(self, existing_id: str) -> None:
        self.existing_id = existing_id
        super().__init__(f"{existing_id} already targets this resource.")


class EmergencyCapReached(StoreError):
    """The requester already made `made` break-glass requests in the cap's window."""

    def __init__(self, made: int) -> None:
        self.made = made
        super().__init__(f"{made} emergency requests already made in the window.")
