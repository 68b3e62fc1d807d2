"""The payload codec every Temporal client and worker of the platform uses: each payload (workflow
inputs, results, signals, updates, queries, activity arguments, memos, summaries, failure messages) is
sealed with AES-GCM before it leaves the process, so Temporal's history, its UI and its CLI hold
ciphertext only. Keys come from `PAYLOAD_KEYS` ("kid:base64-32-byte-key,..."): the first key seals,
every key listed opens, so a key is rotated by putting a new one first and dropping the old one once no
running history needs it. A payload carries its key id and the encoding `binary/encrypted`; one
without that encoding (written before the codec existed) passes through unchanged, so old histories
replay. With `PAYLOAD_KEYS` unset (development) a key is made once and kept in `var/payload-key`.
Not workflow code: the sandbox never imports this module."""

from __future__ import annotations

import base64
import dataclasses
import os
import secrets
from collections.abc import Sequence
from pathlib import Path

import temporalio.converter
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12
KEYS_ENV = "PAYLOAD_KEYS"
ROOT = Path(__file__).resolve().parents[1]


class PayloadKeyError(ValueError):
    """`PAYLOAD_KEYS` is malformed, or a payload names a key this process was not given."""


def parse_keys(raw: str) -> dict[str, bytes]:
    """`kid:base64key,...` as an ordered mapping (the first one seals); each key must be 32 bytes."""
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        kid, sep, encoded = item.partition(":")
        kid = kid.strip()
        if not sep or not kid:
            raise PayloadKeyError(f"{KEYS_ENV}: '{kid or item[:8]}...' is not kid:base64-key")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except ValueError as err:
            raise PayloadKeyError(f"{KEYS_ENV}: key {kid!r} is not base64") from err
        if len(key) != 32:
            raise PayloadKeyError(f"{KEYS_ENV}: key {kid!r} must be 32 bytes, not {len(key)}")
        keys[kid] = key
    if not keys:
        raise PayloadKeyError(f"{KEYS_ENV} holds no key")
    return keys


def new_key_line(kid: str | None = None) -> str:
    """A fresh `kid:base64key` entry, for an operator's `PAYLOAD_KEYS` or the development key file."""
    kid = kid or f"k{secrets.token_hex(4)}"
    return f"{kid}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


def configured_keys(var_dir: Path | None = None) -> dict[str, bytes]:
    """The keys from `PAYLOAD_KEYS`, else the development key in `<var>/payload-key` (made once)."""
    raw = os.environ.get(KEYS_ENV, "").strip()
    if raw:
        return parse_keys(raw)
    var = var_dir or Path(os.environ.get("VAR_DIR", ROOT / "var"))
    path = var / "payload-key"
    if not path.exists():
        var.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{secrets.token_hex(4)}")
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
            out.write(new_key_line("dev") + "\n")  # readable by its owner only
        try:
            os.link(tmp, path)  # first writer wins; every process then reads that one key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return parse_keys(path.read_text())


class EncryptionCodec(PayloadCodec):
    """AES-GCM with a random nonce per payload; the key id is bound in as associated data."""

    def __init__(self, keys: dict[str, bytes]) -> None:
        if not keys:
            raise PayloadKeyError(f"{KEYS_ENV} holds no key")
        self.sealing = next(iter(keys))
        self.ciphers = {kid: AESGCM(key) for kid, key in keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.seal(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.open(p) for p in payloads]

    def seal(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") == ENCODING:
            return payload  # sealed already (a payload handed on as it came)
        nonce = secrets.token_bytes(NONCE_BYTES)
        kid = self.sealing.encode()
        sealed = self.ciphers[self.sealing].encrypt(nonce, payload.SerializeToString(), kid)
        return Payload(metadata={"encoding": ENCODING, KEY_ID: kid}, data=nonce + sealed)

    def open(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # written before the codec: an old history replays as it was
        kid = payload.metadata.get(KEY_ID, b"").decode()
        cipher = self.ciphers.get(kid)
        if cipher is None:
            raise PayloadKeyError(f"payload sealed with key {kid!r}, which {KEYS_ENV} does not hold")
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            return Payload.FromString(cipher.decrypt(nonce, sealed, kid.encode()))
        except InvalidTag as err:
            raise PayloadKeyError(
                f"payload does not open with key {kid!r}: altered, or another key of that id"
            ) from err


def data_converter(keys: dict[str, bytes] | None = None) -> temporalio.converter.DataConverter:
    """The default converter (our contracts are plain dataclasses) with the codec, and failures'
    messages and stack traces moved into an encoded attribute: an error can quote what it failed on."""
    return dataclasses.replace(
        temporalio.converter.default(),
        payload_codec=EncryptionCodec(keys if keys is not None else configured_keys()),
        failure_converter_class=temporalio.converter.DefaultFailureConverterWithEncodedAttributes,
    )
