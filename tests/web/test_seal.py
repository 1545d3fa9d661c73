"""The interview's state sealed into a question's address: round trip, tampering, age, size."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crepitus.web._seal import MAX_AGE, MAX_SEALED, Expired, Sealer
from crepitus.web._state import InterviewState, StateError, answer

SEALER = Sealer.from_secret("test key")
STATE = answer(
    InterviewState(case={"age": 40, "text": "Mon dos craque 🙂", "evidence": []}),
    {"pain": False, "fever": None},
)


def test_round_trip_with_the_answers_to_show() -> None:
    sealed = SEALER.seal(STATE, {"pain": False, "#age": 40})
    assert sealed is not None
    state, chosen = SEALER.open(sealed)
    assert state == STATE and chosen == {"pain": False, "#age": 40}
    assert SEALER.open(SEALER.seal(STATE) or "")[1] == {}


def test_the_address_does_not_show_what_was_written() -> None:
    sealed = SEALER.seal(InterviewState(case={"text": "numb around my bottom", "evidence": []}))
    assert sealed is not None and "numb" not in sealed and "bottom" not in sealed


def test_another_key_or_a_changed_character_is_refused() -> None:
    sealed = SEALER.seal(STATE)
    assert sealed is not None
    with pytest.raises(StateError):
        Sealer.from_secret("another key").open(sealed)
    changed = sealed[:40] + ("A" if sealed[40] != "A" else "B") + sealed[41:]
    with pytest.raises(StateError):
        SEALER.open(changed)


def test_an_old_address_has_expired() -> None:
    old = SEALER.fernet.encrypt_at_time(b"x", int(time.time()) - MAX_AGE - 60).decode()
    with pytest.raises(Expired):
        SEALER.open(old)


def test_too_long_to_be_an_address_is_none() -> None:
    import secrets

    # Random text does not compress: past the limit, the form carries the state instead.
    text = secrets.token_hex(5_000)
    assert SEALER.seal(InterviewState(case={"text": text, "evidence": []})) is None
    with pytest.raises(StateError):
        SEALER.open("A" * (MAX_SEALED + 1))


def test_sealed_but_malformed_inside_is_refused() -> None:
    import zlib

    for plain in (b"not zlib", zlib.compress(b"[1, 2]"), zlib.compress(b'{"v": 2}')):
        with pytest.raises(StateError):
            SEALER.open(SEALER.fernet.encrypt(plain).decode())
    bad_chosen = zlib.compress(b'{"v":1,"case":{"evidence":[]},"steps":[],"c":{"pain":"yes"}}')
    with pytest.raises(StateError):
        SEALER.open(SEALER.fernet.encrypt(bad_chosen).decode())


@given(st.text(max_size=300))
def test_opening_any_text_raises_only_state_errors(token: str) -> None:
    with pytest.raises(StateError):
        SEALER.open(token)
