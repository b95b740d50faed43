"""SM2/SM3/SM4 wrappers against the standard's worked example, an independent EC computation and pysmx."""

from __future__ import annotations

import gmssl_pyx
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from pysmx.SM2 import Sign as pysmx_sign
from pysmx.SM2 import Verify as pysmx_verify
from pysmx.SM2 import generate_keypair as pysmx_keypair

from tongban.crypto import sm


def _h(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def _i(text: str) -> int:
    return int(text.replace(" ", ""), 16)


# GB/T 32918.5-2017 (GM/T 0003.5) appendix A: signature on the recommended curve.
D = _i("3945208F 7B2144B1 3F36E38A C6D39F95 88939369 2860B51A 42FB81EF 4DF7C5B8")
PUBLIC = _h(
    "09F9DF31 1E5421A1 50DD7D16 1E4BC5C6 72179FAD 1833FC07 6BB08FF3 56F35020"
    "CCEA490C E26775A5 2DC6EA71 8CC1AA60 0AED05FB F35E084A 6632F607 2DA9AD13"
)
MESSAGE = b"message digest"
E = _h("F0B43E94 BA45ACCA ACE692ED 534382EB 17E6AB5A 19CE7B31 F4486FDF C0D28640")
K = _i("59276E27 D506861A 16680F3A D9C02DCC EF3CC1FA 3CDBE4CE 6D54B80D EAC1BC21")
R = _i("F5A03B06 48D2C463 0EEAC513 E1BB81A1 5944DA38 27D5B741 43AC7EAC EEE720B3")
S = _i("B1B6AA29 DF212FD8 763182BC 0D421CA1 BB9038FD 1F7F42D4 840B69C4 85BBC1AA")
EXAMPLE_SIGNATURE = sm.rs_to_signature(R, S)

Point = tuple[int, int] | None


def _add(p1: Point, p2: Point) -> Point:
    """Affine point addition on y^2 = x^3 + ax + b over F_p, written from the textbook formulas."""
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    p = sm.SM2_P
    if x1 == x2 and (y1 + y2) % p == 0:
        return None
    # Tangent when doubling, chord otherwise.
    numerator, denominator = (3 * x1 * x1 + sm.SM2_A, 2 * y1) if p1 == p2 else (y2 - y1, x2 - x1)
    slope = numerator * pow(denominator, -1, p) % p
    x3 = (slope * slope - x1 - x2) % p
    return x3, (slope * (x1 - x3) - y1) % p


def _mul(k: int, point: Point) -> Point:
    result: Point = None
    for bit in bin(k)[2:]:
        result = _add(result, result)
        if bit == "1":
            result = _add(result, point)
    return result


G = (sm.SM2_GX, sm.SM2_GY)


def test_example_digest_is_sm3_of_z_and_message() -> None:
    assert sm.sm2_digest(PUBLIC, MESSAGE) == E
    assert sm.sm2_digest(PUBLIC, MESSAGE, sm.SM2_USER_ID) == sm.sm3(sm.sm2_z(PUBLIC) + MESSAGE)


def test_example_public_key_is_d_times_g() -> None:
    point = _mul(D, G)
    assert point is not None
    assert point[0].to_bytes(32, "big") + point[1].to_bytes(32, "big") == PUBLIC


def test_example_signature_reproduced_from_d_and_k() -> None:
    """The signing equation of GB/T 32918.2 6.1 gives the standard's r and s."""
    point = _mul(K, G)
    assert point is not None
    e = int.from_bytes(sm.sm2_digest(PUBLIC, MESSAGE), "big")
    n = sm.SM2_N
    r = (e + point[0]) % n
    s = pow(1 + D, -1, n) * (K - r * D) % n
    assert (r, s) == (R, S)


def test_example_signature_reproduced_by_pysmx_with_fixed_k() -> None:
    raw = pysmx_sign(MESSAGE, D.to_bytes(32, "big"), f"{K:064x}", 64, uid=sm.SM2_USER_ID)
    assert raw == R.to_bytes(32, "big") + S.to_bytes(32, "big")


def test_example_signature_verifies_and_rejects_changes() -> None:
    assert sm.sm2_verify(PUBLIC, MESSAGE, EXAMPLE_SIGNATURE)
    assert not sm.sm2_verify(PUBLIC, b"message digesT", EXAMPLE_SIGNATURE)
    assert not sm.sm2_verify(PUBLIC, MESSAGE, sm.rs_to_signature(R, S ^ 1))
    assert not sm.sm2_verify(PUBLIC, MESSAGE, EXAMPLE_SIGNATURE, user_id=b"1234567812345679")
    _, other_public = sm.sm2_generate()
    assert not sm.sm2_verify(other_public, MESSAGE, EXAMPLE_SIGNATURE)


def test_fresh_key_pair_signs_and_verifies() -> None:
    private, public = sm.sm2_generate()
    assert len(private) == 32
    assert len(public) == 64
    signature = sm.sm2_sign(private, public, b"\xe7\x94\xb5\xe5\xad\x90\xe5\x8d\xb0\xe7\xab\xa0")
    assert sm.sm2_verify(public, "电子印章".encode(), signature)
    assert sm.signature_to_rs(signature)[0] > 0
    # A 65-byte uncompressed point is accepted wherever the 64-byte form is.
    assert sm.sm2_verify(b"\x04" + public, "电子印章".encode(), signature)


def test_custom_user_id_is_part_of_z() -> None:
    private, public = sm.sm2_generate()
    signature = sm.sm2_sign(private, public, b"data", user_id=b"ALICE123@YAHOO.COM")
    assert sm.sm2_verify(public, b"data", signature, user_id=b"ALICE123@YAHOO.COM")
    assert not sm.sm2_verify(public, b"data", signature)
    digest = sm.sm2_digest(public, b"data", b"ALICE123@YAHOO.COM")
    assert gmssl_pyx.sm2_verify_sm3_digest(public, digest, signature)


def test_gmssl_signature_verifies_with_pysmx_and_back() -> None:
    private, public = sm.sm2_generate()
    signature = sm.sm2_sign(private, public, b"licence 2024-0001")
    r, s = sm.signature_to_rs(signature)
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert pysmx_verify(raw, b"licence 2024-0001", public, 64, uid=sm.SM2_USER_ID)
    assert not pysmx_verify(raw, b"licence 2024-0002", public, 64, uid=sm.SM2_USER_ID)

    pair = pysmx_keypair()
    k = f"{int.from_bytes(sm.sm3(b'not a secret, test only'), 'big') % sm.SM2_N:064x}"
    raw = pysmx_sign(b"licence 2024-0003", pair.privateKey, k, 64, uid=sm.SM2_USER_ID)
    der = sm.rs_to_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    assert sm.sm2_verify(pair.publicKey, b"licence 2024-0003", der)


def test_sign_refuses_mismatched_or_malformed_keys() -> None:
    private, _ = sm.sm2_generate()
    _, other_public = sm.sm2_generate()
    with pytest.raises(ValueError, match="does not match"):
        sm.sm2_sign(private, other_public, b"x")
    with pytest.raises(ValueError):
        sm.sm2_sign(private[:31], other_public, b"x")
    with pytest.raises(ValueError):
        sm.sm2_sign(private, b"\x01" * 64, b"x")
    with pytest.raises(ValueError):
        sm.sm2_sign(private, other_public, b"x", user_id=b"")


def test_public_key_from_point() -> None:
    assert sm.sm2_public_key_from_point(PUBLIC) == PUBLIC
    assert sm.sm2_public_key_from_point(b"\x04" + PUBLIC) == PUBLIC
    for bad in (b"", PUBLIC[:63], b"\x02" + PUBLIC, b"\x04" + PUBLIC[:-1] + bytes([PUBLIC[-1] ^ 1]), b"\xff" * 64):
        with pytest.raises(ValueError):
            sm.sm2_public_key_from_point(bad)


def test_malformed_signatures_are_false_not_errors() -> None:
    good = EXAMPLE_SIGNATURE
    r_len = good[3]
    bad_inputs = [
        b"",
        b"\x30",
        b"\x30\x00",
        b"garbage",
        good[:-1],
        good + b"\x00",
        b"\x31" + good[1:],
        bytes([0x30, good[1] + 1]) + good[2:] + b"\x00",
        # r padded with a superfluous zero byte: the same number, not the canonical encoding.
        b"\x30" + bytes([good[1] + 1]) + b"\x02" + bytes([r_len + 1]) + b"\x00" + good[4:],
        sm.rs_to_signature(R, S)[:2] + b"\x02\x01\x00" + good[4 + r_len :],
        b"\x00" * 72,
        b"\x30\x06\x02\x01\x00\x02\x01\x01",
        bytes(range(256)),
        R.to_bytes(32, "big") + S.to_bytes(32, "big"),
    ]
    for bad in bad_inputs:
        assert sm.sm2_verify(PUBLIC, MESSAGE, bad) is False
    assert sm.sm2_verify(b"", MESSAGE, good) is False
    assert sm.sm2_verify(b"\x00" * 64, MESSAGE, good) is False
    assert sm.sm2_verify(PUBLIC, MESSAGE, good, user_id=b"") is False


def test_signature_rs_conversion() -> None:
    assert sm.signature_to_rs(EXAMPLE_SIGNATURE) == (R, S)
    assert sm.rs_to_signature(1, 0x80) == bytes.fromhex("3007020101020200 80".replace(" ", ""))
    for r, s in ((0, 1), (1, 0), (sm.SM2_N, 1), (1, -5)):
        with pytest.raises(ValueError):
            sm.rs_to_signature(r, s)
    with pytest.raises(ValueError):
        sm.signature_to_rs(EXAMPLE_SIGNATURE + b"\x00")


def test_sm3_standard_vector() -> None:
    # GB/T 32905-2016 appendix A.1.
    assert sm.sm3(b"abc") == _h("66C7F0F4 62EEEDD9 D1F2D46B DC10E4E2 4167C487 5CF2F7A2 297DA02B 8F4BA8E0")


def test_sm4_gcm_round_trip_and_tamper_detection() -> None:
    key = bytes(range(16))
    sealed = sm.sm4_gcm_seal(key, "营业执照私钥".encode(), b"key-id:7")
    assert len(sealed) == 12 + len("营业执照私钥".encode()) + 16
    assert sm.sm4_gcm_open(key, sealed, b"key-id:7") == "营业执照私钥".encode()
    # A fresh nonce each time: sealing twice gives different bytes.
    assert sm.sm4_gcm_seal(key, b"same", b"") != sm.sm4_gcm_seal(key, b"same", b"")
    with pytest.raises(ValueError):
        sm.sm4_gcm_open(bytes(16), sealed, b"key-id:7")
    with pytest.raises(ValueError):
        sm.sm4_gcm_open(key, sealed, b"key-id:8")
    for position in (0, 12, len(sealed) - 17, len(sealed) - 1):
        altered = bytearray(sealed)
        altered[position] ^= 0x01
        with pytest.raises(ValueError):
            sm.sm4_gcm_open(key, bytes(altered), b"key-id:7")
    with pytest.raises(ValueError):
        sm.sm4_gcm_open(key, sealed[:27], b"key-id:7")
    with pytest.raises(ValueError):
        sm.sm4_gcm_seal(bytes(15), b"x", b"")


def test_sm4_gcm_empty_plaintext() -> None:
    key = bytes(range(16, 32))
    sealed = sm.sm4_gcm_seal(key, b"", b"header")
    assert len(sealed) == 28
    assert sm.sm4_gcm_open(key, sealed, b"header") == b""
    with pytest.raises(ValueError):
        sm.sm4_gcm_open(key, sealed, b"other header")


def test_sm4_gcm_interoperates_with_openssl() -> None:
    """Sealed data opens with OpenSSL's SM4-GCM (through cryptography) and the other way round."""
    key = bytes(range(100, 116))
    sealed = sm.sm4_gcm_seal(key, b"plaintext of some length", b"aad")
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(sealed[:12], sealed[-16:])).decryptor()
    decryptor.authenticate_additional_data(b"aad")
    assert decryptor.update(sealed[12:-16]) + decryptor.finalize() == b"plaintext of some length"

    nonce = bytes(12)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(b"aad")
    ciphertext = encryptor.update(b"from openssl") + encryptor.finalize()
    assert sm.sm4_gcm_open(key, nonce + ciphertext + encryptor.tag, b"aad") == b"from openssl"
