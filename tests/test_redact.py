from __future__ import annotations

import pytest

from billkit._redact import redact, scrub

KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        (KEY, "sk_test_…p7dc"),
        (SECRET, "whsec_…LaSw"),
        ("pk_test_abcdefghijkl", "pk_test_…ijkl"),
        ("sk_short", "sk_…"),
        ("", "<none>"),
        (None, "<none>"),
    ],
)
def test_redact_keeps_only_prefix_and_tail(secret: str | None, shown: str) -> None:
    assert redact(secret) == shown


def test_scrub_masks_known_and_shaped_secrets() -> None:
    raw = "custom-secret-value"
    live = "sk_live_9f8e7d6c5b4a3928"
    public = "pk_test_TYooMQauvdEDq54NiTphI7jx"
    text = f"key={KEY} secret={SECRET} live={live} public={public} other={raw}"
    out = scrub(text, [raw])
    for secret in (KEY, SECRET, live, public, raw):
        assert secret not in out
    assert out.startswith("key=sk_test_…p7dc secret=whsec_…LaSw live=sk_…3928 public=pk_test_…I7jx")
