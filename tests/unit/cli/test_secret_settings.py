"""Secrets as settings read them: stripped around (and said so), refused with a break inside (naming the
variable, never the value), and redacted by their exact value from whatever is printed or logged."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings
from bot.logs import redact

ODD_TOKEN = "not-shaped-like-any-token-4711"


def test_spaces_and_line_breaks_around_secrets_are_removed_and_named() -> None:
    settings = load_settings(
        _env_file=None, digitalocean_token=ODD_TOKEN + "\r\n", slack_signing_secret="  s3cret-signing "
    )
    assert settings.digitalocean_token is not None
    assert settings.digitalocean_token.get_secret_value() == ODD_TOKEN
    assert settings.stripped_secrets == ["SLACK_SIGNING_SECRET", "DIGITALOCEAN_TOKEN"]


def test_a_break_inside_a_secret_is_refused_without_showing_it() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(_env_file=None, digitalocean_token="first-half\nsecond-half")
    [problem] = refused.value.problems
    assert problem.startswith("DIGITALOCEAN_TOKEN: contains a space, line break or control character")
    assert "half" not in str(refused.value)


def test_a_loaded_secret_is_redacted_by_its_value_and_its_escaped_form() -> None:
    load_settings(_env_file=None, digitalocean_token=ODD_TOKEN)
    text = f"Illegal header value b'Bearer {ODD_TOKEN}' and {ODD_TOKEN!r}"
    assert ODD_TOKEN not in redact(text)
    assert redact("nothing secret here") == "nothing secret here"


def test_a_secret_with_a_character_http_headers_cannot_carry_is_refused_without_showing_it() -> None:
    # A token pasted through a word processor gains a typographic quote or an accented letter. HTTP header
    # values are ASCII (httpx encodes them so), so such a token can never authenticate: today it is accepted
    # and every DigitalOcean call then fails with UnicodeEncodeError (`python -m bot check` prints a
    # traceback). It should be refused when settings load, like a break inside, naming only the variable.
    with pytest.raises(ConfigError) as refused:
        load_settings(_env_file=None, digitalocean_token="dop_v1_secr\u00e9t-\u201cpasted\u201d")
    [problem] = refused.value.problems
    assert problem.startswith("DIGITALOCEAN_TOKEN:")
    assert "pasted" not in str(refused.value)
