"""Signing with a seal (用印): the two signatures every sealed document of the platform carries.

An e-licence (licences/issuing.py) and an official notice (documents/service.py) are sealed alike:
1. the GB/T 38540 `SES_Signature` (SM2 with SM3) over the SM3 hash of the document's canonical data;
2. the PAdES signature (ECDSA P-256, which every PDF reader checks) over the rendered PDF, with the
   canonical data and the seal signature embedded in the signed revision.
Verification (licences/verify.py) checks both and then the platform's register. Private keys are
reached only through the key store.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tongban.crypto import asn1, ca, certs, pades, sm
from tongban.crypto.keystore import get_keystore
from tongban.errors import Conflict
from tongban.seals.models import Seal

# The name of the embedded seal signature, in licences and notices alike.
ATTACHMENT_SEAL = "seal-signature.der"


def seal_signature(session: Session, seal: Seal, data: bytes, property_info: str, now: dt.datetime) -> bytes:
    """The GB/T 38540 SES_Signature of `seal` over SM3(`data`), naming the document in `property_info`."""
    assert seal.seal_der is not None and seal.sm2_cert is not None
    store = get_keystore()
    return asn1.make_signature(seal.seal_der, sm.sm3(data), property_info, now, seal.sm2_cert,
                               lambda tbs: store.sign(session, seal.sm2_key_id, tbs))


def sign_pdf(session: Session, seal: Seal, pdf: bytes, *, attachments: dict[str, bytes], reason: str,
             location: str, now: dt.datetime) -> bytes:
    """The PDF signed (PAdES B-B) with the seal's ECDSA key, `attachments` embedded in the signed revision."""
    assert seal.pdf_cert is not None
    t = ca.trust(session, "ecdsa-p256")
    # The CMS carries exactly the signer's path (issuing CA, root): verification refuses certificates
    # that are not on it, and a path that no longer leads to a trusted root must not sign at all.
    path = certs.verify_chain(seal.pdf_cert, t.intermediates, t.roots, now.replace(tzinfo=dt.UTC))
    if not path.ok:
        raise Conflict("印章的 PDF 签名证书无法验证到受信任的 CA，不能签章：" + path.reason, code="seal_chain_invalid")
    store = get_keystore()
    signed = pades.sign_pdf(pdf, attachments=attachments, signer_cert=seal.pdf_cert,
                            chain=[info.der for info in path.path[1:]],
                            sign=lambda data: store.sign(session, seal.pdf_key_id, data),
                            signed_at=now.replace(tzinfo=dt.UTC), reason=reason, location=location)
    seal.uses = (seal.uses or 0) + 1
    return signed
