"""The stand-in's Slack workspace and app: the IDs every stand-in payload and answer carries."""

from __future__ import annotations

__all__ = ["API_APP_ID", "BOT_ID", "BOT_USER_ID", "TEAM_DOMAIN", "TEAM_ID"]

TEAM_ID = "T0DBOPS"
TEAM_DOMAIN = "acme"
API_APP_ID = "A0DBOPS"
BOT_USER_ID = "U0DBOPSBOT"
BOT_ID = "B0DBOPS"
