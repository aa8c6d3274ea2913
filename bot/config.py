"""The bot's one settings object, read from the environment (and a `.env` file if present).

Every secret is a `SecretStr`: it prints as `**********` and reaches code only through
`get_secret_value()`. Spaces and line breaks around a secret (a secret file's trailing newline) are removed
as it is read (`stripped_secrets` names them); one inside it, or a character that is not ASCII (no HTTP
header can carry it), is refused. A malformed or missing setting is reported once, naming every bad
variable, never its value. `load_settings` hands every secret's value to
`bot.logs`, which redacts it from every log line and from what `check` prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import (
    AnyHttpUrl,
    Field,
    PrivateAttr,
    SecretStr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.logs import remember_secrets

__all__ = ["SANDBOX", "ConfigError", "Settings", "load_settings"]

# `DIGITALOCEAN_API_URL=sandbox` runs the bot against the in-process DigitalOcean stand-in.
SANDBOX = "sandbox"

_http_url = TypeAdapter(AnyHttpUrl)

_SECRETS = ("slack_bot_token", "slack_signing_secret", "slack_app_token", "digitalocean_token")


class ConfigError(Exception):
    """Settings the bot cannot start with; `problems` names each bad variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "dbops cannot start, fix these settings:\n" + "\n".join(f"  - {p}" for p in problems)
        )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    digitalocean_token: SecretStr | None = None
    digitalocean_api_url: str = "https://api.digitalocean.com"
    digitalocean_max_rate_limit_wait: float = Field(default=60.0, ge=0, le=3600)

    timer_interval: float = Field(default=5.0, ge=0.1, le=60)  # seconds between timer sweeps (countdowns)

    database_url: str = "sqlite:///dbops.db"
    chatops_policy: Path | None = None

    host: str = "0.0.0.0"  # noqa: S104 - a server behind a load balancer listens on every interface
    port: int = Field(default=3000, ge=1, le=65535)
    # The HTTP edge: a request (head and body) must arrive within this many seconds, and at most this many
    # connections and requests are served at once (uvicorn answers 503 beyond).
    http_request_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    http_max_connections: int = Field(default=200, ge=1, le=100_000)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"

    # How long one execution may wait on DigitalOcean before its outcome counts as unknown; how long a
    # claim lasts unless its executor's heartbeat (every third of it) renews it, after which another process
    # reconciles it; and how often recovery looks for such claims.
    execution_timeout_seconds: float = Field(default=300.0, gt=0, le=3600)
    execution_lease_seconds: float = Field(default=15.0, ge=0.3, le=3600)
    sweep_interval_seconds: float = Field(default=5.0, gt=0, le=3600)

    # the secrets whose value had spaces or line breaks around it (a common secret-file mistake), removed
    _stripped: list[str] = PrivateAttr(default_factory=list)

    @field_validator(*_SECRETS)
    @classmethod
    def _no_inner_space(cls, value: SecretStr | None) -> SecretStr | None:
        inner = value.get_secret_value().strip() if value is not None else ""
        if any(c.isspace() or not c.isprintable() for c in inner):
            raise ValueError("contains a space, line break or control character inside it; copy it again")
        if not inner.isascii():  # HTTP header values are ASCII: such a token could never authenticate
            raise ValueError("contains a character that is not plain ASCII (a typographic quote?); copy it")
        return value

    @model_validator(mode="after")
    def _strip_secrets(self) -> Settings:
        for name in _SECRETS:
            value: SecretStr | None = getattr(self, name)
            if value is not None and value.get_secret_value() != value.get_secret_value().strip():
                stripped = value.get_secret_value().strip()
                setattr(self, name, SecretStr(stripped) if stripped else None)
                self._stripped.append(name.upper())
        return self

    @property
    def stripped_secrets(self) -> list[str]:
        """The secret variables whose surrounding spaces or line breaks were removed when they were read."""
        return list(self._stripped)

    def secret_values(self) -> list[str]:
        """Every secret's value, for redaction: never print or log these."""
        values = (getattr(self, name) for name in _SECRETS)
        return [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]

    @field_validator("slack_api_url")
    @classmethod
    def _slack_url(cls, value: str) -> str:
        _http_url.validate_python(value)
        return value if value.endswith("/") else value + "/"

    @field_validator("digitalocean_api_url")
    @classmethod
    def _do_url(cls, value: str) -> str:
        if value.strip().lower() == SANDBOX:
            return SANDBOX
        _http_url.validate_python(value)
        return value.rstrip("/")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("chatops_policy")
    @classmethod
    def _policy_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no policy file at {value}")
        return value

    @property
    def uses_sandbox(self) -> bool:
        return self.digitalocean_api_url == SANDBOX

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    def problems_for_serve(self) -> list[str]:
        """What `serve` needs beyond well-formed values: the secrets of the mode it runs in."""
        problems: list[str] = []
        if not _secret(self.slack_bot_token):
            problems.append("SLACK_BOT_TOKEN is not set (the bot token, xoxb-…, from OAuth & Permissions)")
        elif not _secret(self.slack_bot_token).startswith("xoxb-"):
            problems.append("SLACK_BOT_TOKEN does not look like a bot token (it should start with xoxb-)")
        if self.socket_mode:
            if not _secret(self.slack_app_token).startswith("xapp-"):
                problems.append("SLACK_APP_TOKEN does not look like an app-level token (xapp-…)")
        elif not _secret(self.slack_signing_secret):
            problems.append(
                "SLACK_SIGNING_SECRET is not set (Basic Information → Signing Secret); "
                "or set SLACK_APP_TOKEN to use Socket Mode"
            )
        if not self.uses_sandbox and not _secret(self.digitalocean_token):
            problems.append(
                "DIGITALOCEAN_TOKEN is not set (a custom-scoped token with database:read/create/"
                "update/delete), or set DIGITALOCEAN_API_URL=sandbox to try dbops without one"
            )
        return problems


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def load_settings(**overrides: object) -> Settings:
    """Read the settings; raise `ConfigError` naming every malformed variable (never their values)."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = str(item["loc"][0]).upper() if item["loc"] else "settings"
            message = str(item["msg"]).removeprefix("Value error, ")  # pydantic's prefix says nothing
            problems.append(f"{name}: {message}")
        raise ConfigError(problems) from None
    remember_secrets(settings.secret_values())
    return settings
