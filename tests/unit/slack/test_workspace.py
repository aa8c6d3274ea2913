"""The workspace and app checks, in process: payloads shaped as Slack sends them (a slash command's fields,
an org-wide install's `enterprise_id`), the bot's own identity as `auth.test` and `bots.info` answer it.
An org-wide install's `auth.test` names the organisation and answers `is_enterprise_install: true`
(docs.slack.dev/reference/methods/auth.test; @slack/web-api's AuthTestResponse type)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncBoltRequest
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.response import BoltResponse

from bot.slack.adapters.workspace import OwnWorkspace


class FakeClient:
    def __init__(self, answers: list[dict[str, Any] | Exception], *, org_wide: bool = True) -> None:
        self.answers = answers
        self.asked = 0
        self.org_wide = org_wide

    async def auth_test(self) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://acme.enterprise.slack.com/",
            "team": "Acme",
            "user": "dbops",
            "team_id": "T0ACME",
            "user_id": "U0DBOPS",
            "bot_id": "B0DBOPS",
            "enterprise_id": "E0ACME",
            "is_enterprise_install": self.org_wide,
        }

    async def bots_info(self, *, bot: str) -> dict[str, Any]:
        self.asked += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


OWN_APP = {"ok": True, "bot": {"id": "B0DBOPS", "app_id": "A0DBOPS"}}


def request(client: FakeClient, *, team: str, enterprise: str | None = None, app: str = "A0DBOPS") -> Any:
    body = {"team_id": team, "api_app_id": app, "enterprise_id": enterprise, "is_enterprise_install": "true"}
    req = AsyncBoltRequest(body=body, mode="socket_mode")
    req.context["authorize_result"] = AuthorizeResult(
        enterprise_id="E0ACME", team_id="T0ACME", bot_id="B0DBOPS", bot_user_id="U0DBOPS"
    )
    req.context["team_id"] = team
    req.context["enterprise_id"] = enterprise
    req.context["client"] = client
    return req


async def run(check: OwnWorkspace, req: Any) -> int:
    async def next_() -> BoltResponse:
        return BoltResponse(status=200, body="")

    return (await check(req, req.context, next_)).status


async def test_an_org_wide_install_lets_its_organisations_workspaces_through_and_no_other() -> None:
    client = FakeClient([OWN_APP])
    check = OwnWorkspace()
    assert await run(check, request(client, team="T0OTHER", enterprise="E0ACME")) == 200
    assert await run(check, request(client, team="T0OTHER", enterprise="E0EVIL")) == 403
    assert await run(check, request(client, team="T0OTHER")) == 403


async def test_bots_info_is_asked_again_after_a_backoff_and_requests_wait_refused_meanwhile() -> None:
    clock = Clock()
    client = FakeClient([RuntimeError("timeout"), {"ok": True, "bot": {}}, OWN_APP])
    check = OwnWorkspace(clock=clock)
    assert await run(check, request(client, team="T0ACME")) == 503  # failed
    assert await run(check, request(client, team="T0ACME")) == 503  # within the 1 s backoff: not asked
    assert client.asked == 1
    clock.now = 1.0
    assert await run(check, request(client, team="T0ACME")) == 503  # answered without an app id
    clock.now = 2.5
    assert await run(check, request(client, team="T0ACME")) == 503  # the backoff doubled to 2 s
    clock.now = 3.0
    assert await run(check, request(client, team="T0ACME", app="A0OTHER")) == 403
    assert await run(check, request(client, team="T0ACME")) == 200
    assert client.asked == 3


class AuthTestDown(FakeClient):
    async def auth_test(self) -> dict[str, Any]:
        raise RuntimeError("timeout")


async def test_another_workspace_of_the_organisation_waits_refused_while_auth_test_cannot_say() -> None:
    client = AuthTestDown([OWN_APP])
    check = OwnWorkspace()
    # whether the bot is installed org-wide is unknown: refused ("try again"), never assumed
    assert await run(check, request(client, team="T0OTHER", enterprise="E0ACME")) == 503
    assert await run(check, request(client, team="T0ACME")) == 200  # its own workspace is unaffected
