"""A workspace-level install on a workspace inside an Enterprise Grid organisation: Slack's `auth.test`
names the organisation's `enterprise_id` ("When working against a team within an Enterprise organization,
you'll also find their enterprise_id here", docs.slack.dev/reference/methods/auth.test) with
`is_enterprise_install: false` (@slack/web-api's AuthTestResponse type). The bot serves that one workspace:
a signed request from another workspace of the same organisation must be refused (issue 13, item 10)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.response import BoltResponse

from bot.slack.adapters.workspace import OwnWorkspace

AUTH_TEST = {
    "ok": True,
    "url": "https://acme-eng.enterprise.slack.com/",
    "team": "Acme Engineering",
    "user": "dbops",
    "team_id": "T0ACME",
    "user_id": "U0DBOPS",
    "bot_id": "B0DBOPS",
    "enterprise_id": "E0ACME",
    "is_enterprise_install": False,
}


class Client:
    async def bots_info(self, *, bot: str) -> dict[str, Any]:
        return {"ok": True, "bot": {"id": bot, "app_id": "A0DBOPS"}}

    async def auth_test(self) -> dict[str, Any]:
        return dict(AUTH_TEST)


async def test_a_workspace_install_refuses_another_workspace_of_its_organisation() -> None:
    body = {"team_id": "T0OTHER", "enterprise_id": "E0ACME", "api_app_id": "A0DBOPS", "command": "/pool"}
    req = AsyncBoltRequest(body=body, mode="socket_mode")
    req.context["authorize_result"] = AuthorizeResult.from_auth_test_response(
        bot_token="xoxb-test", auth_test_response=dict(AUTH_TEST)
    )
    req.context["team_id"] = "T0OTHER"
    req.context["enterprise_id"] = "E0ACME"
    req.context["client"] = Client()

    async def next_() -> BoltResponse:
        return BoltResponse(status=200, body="")

    assert (await OwnWorkspace()(req, req.context, next_)).status == 403
