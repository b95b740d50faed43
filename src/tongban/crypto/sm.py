"""Chinese national cryptography (国密): SM2 signatures, SM3 hashing and SM4-GCM, over gmssl-pyx.

Thin wrappers that fix the conventions the rest of the platform relies on: private key first in key
pairs, public keys as 64 bytes X||Y, signatures as DER SEQUENCE { r, s }, Z_A computed with the
GM/T 0009 default identifier, and verification that answers False instead of raising.
"""

from __future__ import annotations

import secrets

import gmssl_pyx
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SM2_USER_ID = b"1234567812345678"
"""Default signer identifier of GM/T 0009 (used for Z_A when nobody agreed on another one)."""

# Recommended curve parameters, GB/T 32918.5-2017.
SM2_P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
SM2_A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
SM2_B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
SM2_N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
SM2_GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
SM2_GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0

_Z_CURVE = b"".join(v.to_bytes(32, "big") for v in (SM2_A, SM2_B, SM2_GX, SM2_GY))
# ENTL is two bytes of bit length, so the identifier is at most 8191 bytes; gmssl refuses an empty one.
_MAX_USER_ID = 0xFFFF // 8

SM4_KEY_SIZE = 16
GCM_NONCE_SIZE = 12
GCM_TAG_SIZE = 16


def sm3(data: bytes) -> bytes:
    """SM3 hash (GB/T 32905) of data, 32 bytes."""
    return gmssl_pyx.sm3_hash(data)


def sm2_generate() -> tuple[bytes, bytes]:
    """New SM2 key pair as (private 32 bytes, public 64 bytes X||Y)."""
    public, private = gmssl_pyx.sm2_key_generate()
    return private, public


def sm2_public_key_from_point(data: bytes) -> bytes:
    """64-byte X||Y from a raw or 0x04-prefixed uncompressed point on the SM2 curve; ValueError otherwise."""
    if len(data) == 65 and data[0] == 0x04:
        data = data[1:]
    if len(data) != 64:
        raise ValueError("SM2 public key must be 64 bytes X||Y or 65 bytes 04||X||Y")
    x = int.from_bytes(data[:32], "big")
    y = int.from_bytes(data[32:], "big")
    if x >= SM2_P or y >= SM2_P or (y * y - (x * x * x + SM2_A * x + SM2_B)) % SM2_P != 0:
        raise ValueError("SM2 public key is not a point on the recommended curve")
    return bytes(data)


def _check_user_id(user_id: bytes) -> None:
    if not 1 <= len(user_id) <= _MAX_USER_ID:
        raise ValueError(f"SM2 user id must be 1..{_MAX_USER_ID} bytes")


def sm2_z(public_key: bytes, user_id: bytes = SM2_USER_ID) -> bytes:
    """Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA), GB/T 32918.2 section 5.5."""
    _check_user_id(user_id)
    point = sm2_public_key_from_point(public_key)
    entl = (len(user_id) * 8).to_bytes(2, "big")
    return sm3(entl + user_id + _Z_CURVE + point)


def sm2_digest(public_key: bytes, message: bytes, user_id: bytes = SM2_USER_ID) -> bytes:
    """e = SM3(Z_A || M), the value an SM2 signature actually signs."""
    return sm3(sm2_z(public_key, user_id) + message)


def signature_to_rs(der: bytes) -> tuple[int, int]:
    """(r, s) of a DER SEQUENCE { INTEGER r, INTEGER s }; ValueError unless it is exactly that, canonically."""
    # Parsed by hand: the structure is tiny, and strictness (minimal lengths, no padding, no trailing
    # bytes) matters more than generality, because a signature has exactly one valid encoding.
    if len(der) < 8 or der[0] != 0x30 or der[1] != len(der) - 2 or der[1] >= 0x80:
        raise ValueError("SM2 signature is not a short DER SEQUENCE")
    values: list[int] = []
    pos = 2
    for _ in range(2):
        if pos + 2 > len(der) or der[pos] != 0x02:
            raise ValueError("SM2 signature does not hold two INTEGERs")
        length = der[pos + 1]
        body = der[pos + 2 : pos + 2 + length]
        if length == 0 or length >= 0x80 or len(body) != length:
            raise ValueError("SM2 signature INTEGER has a bad length")
        if body[0] & 0x80:
            raise ValueError("SM2 signature INTEGER is negative")
        if length > 1 and body[0] == 0 and not body[1] & 0x80:
            raise ValueError("SM2 signature INTEGER is not minimally encoded")
        values.append(int.from_bytes(body, "big"))
        pos += 2 + length
    if pos != len(der):
        raise ValueError("SM2 signature has trailing bytes")
    return values[0], values[1]


def _der_integer(value: int) -> bytes:
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return b"\x02" + bytes([len(body)]) + body


def rs_to_signature(r: int, s: int) -> bytes:
    """DER SEQUENCE { r, s } for 1 <= r, s < n."""
    if not (1 <= r < SM2_N and 1 <= s < SM2_N):
        raise ValueError("SM2 signature values must lie in [1, n-1]")
    body = _der_integer(r) + _der_integer(s)
    return b"\x30" + bytes([len(body)]) + body


def sm2_sign(private_key: bytes, public_key: bytes, message: bytes, user_id: bytes = SM2_USER_ID) -> bytes:
    """DER SM2 signature of SM3(Z_A || message); ValueError if the key pair is malformed or mismatched."""
    _check_user_id(user_id)
    public = sm2_public_key_from_point(public_key)
    if len(private_key) != 32:
        raise ValueError("SM2 private key must be 32 bytes")
    try:
        signature = gmssl_pyx.sm2_sign(private_key, public, message, user_id)
    except gmssl_pyx.GmsslInnerError as exc:
        raise ValueError(f"SM2 signing failed: {exc}") from exc
    # Z_A is computed from the public key we are handed, so a public key that does not belong to the
    # private key yields a signature nobody can verify; catching that here costs one verification
    # and saves issuing a seal or certificate that fails everywhere later.
    if not gmssl_pyx.sm2_verify(public, message, signature, user_id):
        raise ValueError("SM2 public key does not match the private key")
    return signature


def sm2_verify(public_key: bytes, message: bytes, signature_der: bytes, user_id: bytes = SM2_USER_ID) -> bool:
    """True if signature_der is a valid SM2 signature of message by public_key; False for anything else."""
    try:
        _check_user_id(user_id)
        public = sm2_public_key_from_point(public_key)
        r, s = signature_to_rs(signature_der)
        # Refusing non-canonical encodings keeps a signature value unique; gmssl is also
        # never handed garbage (it prints a C stack trace to stderr for each malformed input).
        if rs_to_signature(r, s) != signature_der:
            return False
    except ValueError:
        return False
    try:
        return bool(gmssl_pyx.sm2_verify(public, message, signature_der, user_id))
    except gmssl_pyx.GmsslInnerError:
        return False


def _check_key(key: bytes) -> None:
    if len(key) != SM4_KEY_SIZE:
        raise ValueError("SM4 key must be 16 bytes")


def sm4_gcm_seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """nonce(12) || ciphertext || tag(16) of SM4-GCM under a fresh random nonce."""
    _check_key(key)
    nonce = secrets.token_bytes(GCM_NONCE_SIZE)
    if plaintext:
        ciphertext, tag = gmssl_pyx.sm4_gcm_encrypt(key, nonce, aad, plaintext)
    else:
        # gmssl refuses an empty plaintext ("empty plaintext"); GCM itself does not, and OpenSSL's
        # SM4-GCM (through cryptography) computes the same tag, so the empty case goes there.
        encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        ciphertext, tag = encryptor.finalize(), encryptor.tag
    if len(tag) != GCM_TAG_SIZE:
        raise ValueError("SM4-GCM returned an unexpected tag length")
    return nonce + ciphertext + tag


def sm4_gcm_open(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    """Plaintext of sm4_gcm_seal output; ValueError if the key, ciphertext, nonce or aad is not the sealed one."""
    _check_key(key)
    if len(sealed) < GCM_NONCE_SIZE + GCM_TAG_SIZE:
        raise ValueError("SM4-GCM sealed data is too short")
    nonce = sealed[:GCM_NONCE_SIZE]
    ciphertext = sealed[GCM_NONCE_SIZE:-GCM_TAG_SIZE]
    tag = sealed[-GCM_TAG_SIZE:]
    if not ciphertext:
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(aad)
        try:
            return decryptor.finalize()
        except InvalidTag as exc:
            raise ValueError("SM4-GCM authentication failed") from exc
    try:
        return gmssl_pyx.sm4_gcm_decrypt(key, nonce, aad, ciphertext, tag)
    except gmssl_pyx.GmsslInnerError as exc:
        raise ValueError("SM4-GCM authentication failed") from exc
