"""Every sentence the Slack layer itself says (the engine and service layer supply the rest).

Templates use `str.format`; every value put into them is escaped by the caller.
"""

from __future__ import annotations

from typing import Final

REFUSED: Final = ":warning: {reason}"
CARD_NOT_POSTED: Final = (
    ":warning: I could not post the approval card in this channel (Slack said `{error}`), so {id} was "
    "cancelled and nothing will change. Invite me with `/invite @dbops`, or ask in a channel I am in."
)
INTERNAL_ERROR: Final = (
    ":warning: Something went wrong on the bot's side while handling that; the details are in its log."
)
INTERNAL_ERROR_SHORT: Final = "Something went wrong on the bot's side; the details are in its log."
SLOW_SUBMIT: Final = (
    ":hourglass_flowing_sand: DigitalOcean is slow to answer; your request is still being checked. "
    "The card will appear in this channel, or I will tell you here what is wrong."
)
NO_CLUSTER_CHOSEN: Final = "Choose a cluster first."
CONFIRM_MISMATCH: Final = "Type {db} exactly to confirm the drop."
LOAD_FAILED: Final = "Could not load the clusters from DigitalOcean: {reason}"
REJECT_NOT_ALLOWED: Final = "You are not an approver for {action} on {cluster}, so you cannot reject {id}."
REJECT_NOT_PENDING: Final = "{reason}"
COUNTED: Final = "Your approval of {id} is counted; it needs {missing} more."
APPROVED_FROM_HOME: Final = "Your approval of {id} completed it; the outcome is in its card's thread."
REJECTED_FROM_HOME: Final = "You rejected {id}; nothing will change."
REQUEST_AGAIN_OFFER: Final = "Nothing was changed; *Request again* asks for the same change as a new request."
REQUESTED_AGAIN: Final = "{id} asks for the same change as {old}; its card is in the channel."
DROP_IS_FINAL: Final = (
    ":warning: *A drop cannot be undone* (there is no Revert for it). {backup} DigitalOcean restores a "
    "backup only into a new cluster, at its latest state or a point in time within the seven days it keeps "
    "backups, never into this one: clients would have to move to that cluster."
)
DROP_LATEST_BACKUP: Final = "The latest backup of {cluster} is from {at}."
DROP_NO_BACKUP: Final = "{cluster} has no backup listed, so nothing could be restored."
