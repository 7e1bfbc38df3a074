"""Links the server hands out and must recognise later (study invitations, rater ids), signed with HMAC.

The key is this installation's own secret, made once and kept in the data
directory (`secret.key`, readable by its owner only), so links stay valid across
restarts and cannot be forged by anyone who has not been given one.
"""

from __future__ import annotations

import hmac
import os
import secrets
from hashlib import sha256

from tools.settings import get_settings

SECRET_FILE = "secret.key"


def install_secret() -> bytes:
    path = get_settings().ensure_home() / SECRET_FILE
    if not path.exists():
        tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # first writer wins; a second process reads the winner's key
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text().strip().encode()


def sign(purpose: str, value: str, length: int = 16) -> str:
    """A hex signature of `value` for `purpose` (a signature for one purpose is useless for another)."""
    return hmac.new(install_secret(), f"{purpose}:{value}".encode(), sha256).hexdigest()[:length]


def verify(purpose: str, value: str, signature: str, length: int = 16) -> bool:
    return len(signature) == length and hmac.compare_digest(sign(purpose, value, length), signature)


def new_rater(study_id: str) -> str:
    """A rater id the server issued: 12 random hex digits and their 16-digit signature."""
    nonce = secrets.token_hex(6)
    return nonce + sign(f"rater:{study_id}", nonce)


def is_rater(study_id: str, rater: str) -> bool:
    return len(rater) == 28 and verify(f"rater:{study_id}", rater[:12], rater[12:])


def invitation(study_id: str) -> str:
    return sign("invite", study_id, length=32)
