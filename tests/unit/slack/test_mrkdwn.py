"""`mrkdwn.clip`: a long text is cut within the limit, where mrkdwn stays whole, with a note."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.slack.renderers.mrkdwn import clip, code, escape


def test_a_short_text_is_unchanged() -> None:
    assert clip("`web` on prod-pg", 100) == "`web` on prod-pg"


def test_a_cut_never_lands_inside_a_code_span_and_says_how_much_is_left_out() -> None:
    text = "Pool " + code("x" * 9000) + " is unknown."
    cut = clip(text, 4000)
    assert cut == "Pool … (cut: 9,015 more characters)"


def test_a_cut_never_splits_an_entity_or_a_mention() -> None:
    entity = "a" * 30 + "&amp;" + "b" * 100
    mention = "see <@U0LEAD1> " + "z" * 100
    for limit in range(40, 80):
        for text, token in ((entity, "&amp;"), (mention, "<@U0LEAD1>")):
            head = clip(text, limit).split(" … (cut: ")[0]
            start = text.index(token)
            assert text.startswith(head)
            assert len(head) <= start or len(head) >= start + len(token), (limit, head)


@given(
    st.lists(
        st.one_of(
            st.text(max_size=40).map(lambda t: escape(t.replace("`", ""))), st.text(max_size=40).map(code)
        ),
        max_size=200,
    ).map(" ".join),
    st.integers(min_value=40, max_value=4000),
)
def test_any_escaped_text_is_cut_within_the_limit_with_balanced_code_spans(text: str, limit: int) -> None:
    cut = clip(text, limit)
    assert len(cut) <= limit
    assert cut.count("`") % 2 == 0
    head = cut.split(" … (cut: ")[0]
    assert text.startswith(head)
    assert head.rfind("&") <= head.rfind(";") or "&" not in head
