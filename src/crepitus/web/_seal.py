"""The interview's state sealed into each question's address, so that every step is a plain GET.

After each answer the pages redirect (303) to ``/interview/N?s=SEALED``: Back, Forward and reload
then fetch a question page instead of re-sending a form, and nothing is stored on the server.
``SEALED`` is the state (``_state.encode``) with the answers to show as chosen, compressed and
then encrypted and signed with Fernet (AES-128 and HMAC-SHA256, from ``cryptography``):

- signed, so that a link made elsewhere cannot walk someone into an interview with red flags
  already answered "no";
- encrypted, so that the address in the browser's history does not show what the person wrote;
- dated, so that an address older than ``MAX_AGE`` opens nothing (a shared computer's history).

The key is ``CREPITUS_SECRET_KEY`` when set, otherwise one made once and kept in the database, so
that every worker opens what another sealed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crepitus.web import _state
from crepitus.web._state import Chosen, InterviewState, StateError

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

__all__ = ["MAX_AGE", "MAX_SEALED", "Expired", "Sealer"]

#: Seconds a question's address opens: long enough to leave a tab over a night.
MAX_AGE = 24 * 3600
#: The longest address part we make: under the 8 KiB request line common reverse proxies allow.
#: A state that seals longer (a very long description) is carried by the form, as before.
MAX_SEALED = 6_000
_MAX_PLAIN = _state.MAX_STATE_CHARS * 4 + 1_000  # UTF-8 bytes of the largest state, and "c"


class Expired(StateError):
    """A sealed state older than ``MAX_AGE``."""


@dataclass(frozen=True, slots=True)
class Sealer:
    fernet: Fernet

    @classmethod
    def from_secret(cls, secret: str) -> Sealer:
        # Imported on first use: about 10 MB that a worker serving only the API never needs.
        from cryptography.fernet import Fernet

        # Any secret text becomes a Fernet key of the right shape.
        return cls(Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())))

    def seal(self, state: InterviewState, chosen: Chosen | None = None) -> str | None:
        """The sealed state, or None when it would make an address too long to be safe."""
        data = _state.as_data(state)
        if chosen:
            data = {**data, "c": chosen}
        plain = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        token = self.fernet.encrypt(zlib.compress(plain.encode(), 9)).decode()
        return token if len(token) <= MAX_SEALED else None

    def open(self, token: str) -> tuple[InterviewState, Chosen]:
        """The state and the answers to show as chosen; raise StateError (or Expired)."""
        from cryptography.fernet import InvalidToken

        if len(token) > MAX_SEALED:
            raise StateError("sealed state too long")
        try:
            packed = self.fernet.decrypt(token.encode("ascii"), ttl=MAX_AGE)
        except (InvalidToken, UnicodeEncodeError):
            if self._signed_by_us(token):
                raise Expired("sealed state too old") from None
            raise StateError("sealed state not ours") from None
        unpack = zlib.decompressobj()
        try:
            data: Any = json.loads(unpack.decompress(packed, _MAX_PLAIN))
        except (zlib.error, ValueError):
            raise StateError("sealed state unreadable") from None
        if not isinstance(data, dict):
            raise StateError("sealed state has the wrong shape")
        chosen = data.pop("c", {})
        return _state.from_data(data), _chosen(chosen)

    def _signed_by_us(self, token: str) -> bool:
        """Whether the token's signature is ours (so a refusal was for its age alone)."""
        from cryptography.fernet import InvalidToken

        try:
            self.fernet.extract_timestamp(token.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            return False
        return True


def _chosen(value: Any) -> Chosen:
    """The answers to show as chosen, checked like the rest: ids, and yes/no/not sure or an age."""
    if not isinstance(value, dict):
        raise StateError("chosen answers have the wrong shape")
    out: Chosen = {}
    for key, answer in value.items():
        if key == _state.AGE_STEP:
            if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer <= 120:
                raise StateError("chosen age is malformed")
        elif not _state.is_finding_id(key) or answer not in (True, False, None):
            raise StateError("chosen answers are malformed")
        out[key] = answer
    return out
