"""The API keys of verification partners: `rqv_<prefix>_<secret>`, found by the prefix, checked by the secret's hash.

SHA-256, not a password hasher: a random secret of 256 bits cannot be guessed, and a partner's hundreds of requests a
minute must not each pay a password hasher's deliberate slowness."""

import hashlib
import hmac
import secrets

TAG = "rqv"


def new_key() -> tuple[str, str, str]:
    """A new key: its prefix, the hash kept of its secret, and the key itself, shown once."""
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
    return prefix, hashed(secret), f"{TAG}_{prefix}_{secret}"


def hashed(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def prefix_of(key: str) -> str | None:
    """The prefix a key names, or None for what is no partner key."""
    tag, _, rest = key.partition("_")
    prefix, _, secret = rest.partition("_")
    return prefix if tag == TAG and prefix and secret else None


def matches(key: str, kept_hash: str) -> bool:
    return hmac.compare_digest(hashed(key.split("_", 2)[2]), kept_hash)
