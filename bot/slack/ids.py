"""Every action_id, callback_id and block_id the Slack layer uses, in one place.

Listeners match on these and tests build payloads with them; Slack gives each up to 255 characters.
"""

from __future__ import annotations

from typing import Final

# ---- approval card buttons (value = the request id, nothing else) ----
APPROVE: Final = "dbops_approve"
REJECT: Final = "dbops_reject"
CANCEL: Final = "dbops_cancel"
CARD_ACTIONS_BLOCK: Final = "dbops_card_actions"
STOP: Final = "dbops_stop"  # stops a break-glass change during its countdown
ACK_REVIEW: Final = "dbops_ack_review"  # on the review message of a break-glass change that ran
REVIEW_ACTIONS_BLOCK: Final = "dbops_review_actions"
HOME_ACTIONS_PREFIX: Final = "dbops_home_"  # block_id of a request's buttons on the App Home tab
REVERT: Final = "dbops_revert"  # on a succeeded card while its revert window is open
REQUEST_AGAIN: Final = "dbops_request_again"  # on the thread line of an interrupted change that failed
REQUEST_AGAIN_BLOCK: Final = "dbops_request_again_actions"

# ---- modals (view callback_ids) ----
MODAL_CHANGE: Final = "dbops_change"  # create/resize/delete pool, create/drop database
MODAL_REJECT: Final = "dbops_reject_reason"
MODAL_REVERT_DROP: Final = "dbops_revert_drop"  # the typed confirmation of a db.create's revert (a drop)

# ---- modal input blocks (block_id) and their elements (action_id) ----
CLUSTER_BLOCK: Final = "cluster_block"
CLUSTER_SELECT: Final = "cluster_select"
POOL_BLOCK: Final = "pool_block"
POOL_INPUT: Final = "pool_input"  # a text input on create, an external select otherwise
POOL_SELECT: Final = "pool_select"
DB_BLOCK: Final = "db_block"
DB_INPUT: Final = "db_input"
DB_SELECT: Final = "db_select"
USER_BLOCK: Final = "user_block"
USER_SELECT: Final = "user_select"
SIZE_BLOCK: Final = "size_block"
SIZE_INPUT: Final = "size_input"
MODE_BLOCK: Final = "mode_block"
MODE_SELECT: Final = "mode_select"
CONFIRM_BLOCK: Final = "confirm_block"
CONFIRM_INPUT: Final = "confirm_input"
CHOOSE_FIRST_BLOCK: Final = "choose_cluster_first"  # a context line until a cluster is chosen
FORM_PROBLEM_BLOCK: Final = "form_problem"  # a context line: why the form could not be rebuilt
REASON_BLOCK: Final = "reason_block"
REASON_INPUT: Final = "reason_input"

# An input whose choices depend on the chosen cluster gets a new block_id each time the form is rebuilt
# for a cluster (`db_block.2`): Slack keeps what was entered in an input only while its block_id and
# action_id stay the same, so a database chosen on the old cluster is not carried to the new one.
REVISION_SEPARATOR: Final = "."


def revised(block_id: str, revision: int) -> str:
    """The block_id of a cluster-dependent input in the form's `revision`-th build."""
    return f"{block_id}{REVISION_SEPARATOR}{revision}"


def base_block(block_id: str) -> str:
    """The block_id without its revision (`db_block.2` → `db_block`)."""
    return block_id.split(REVISION_SEPARATOR, 1)[0]


# The options-load (block_suggestion) handlers, by the element's action_id.
SELECTS: Final = (CLUSTER_SELECT, POOL_SELECT, DB_SELECT, USER_SELECT)

# Which input block a service-layer `InvalidRequest.field` belongs to.
FIELD_BLOCKS: Final = {
    "cluster": CLUSTER_BLOCK,
    "pool": POOL_BLOCK,
    "db": DB_BLOCK,
    "database": DB_BLOCK,
    "user": USER_BLOCK,
    "size": SIZE_BLOCK,
    "mode": MODE_BLOCK,
}
