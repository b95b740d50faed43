"""E-licences: issue rate (render + SM2 seal signature + PAdES) and verify rate, with each step's share.

Platform path: `issuing.issue` (serial counter, identifier, canonical data, seal signature through the
key store, PDF, PAdES, version row, events, audit, licence library) and `verify.verify_online` (PDF
signature, seal signature and certificate chains, register and seal state).
Baseline in the same run: the same render and both signatures with keys in memory and no database,
and for verification the two signature checks alone. Prints one JSON line.
Usage: .venv/bin/python bench/licences.py [N]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time

from _common import fresh_database

os.environ.setdefault("TONGBAN_KEYSTORE_MASTER_KEY", "bench-keystore-master-key-0123456789abcdef")

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from tongban import clock
from tongban.crypto import asn1, ca, certs, pades, sm
from tongban.db import make_engine, make_session_factory
from tongban.demo import city, licence_loader, loader
from tongban.files import get_store
from tongban.licences import issuing, verify
from tongban.licences.models import LicenceType, LicenceVersion
from tongban.licences.render import LicenceDocument, LicenceLayout, render_pdf
from tongban.org.auth import user_actor
from tongban.org.models import User
from tongban.seals import service as seals
from tongban.seals.models import Seal

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200


def _data(n: int) -> dict[str, str]:
    return {"entity_type": "有限责任公司（自然人投资或控股）", "legal_representative": "王建华",
            "registered_capital": f"人民币{100 + n}万元", "established_on": "2020-08-18",
            "address": f"陕西省安康市汉滨区兴安中路{n}号",
            "business_scope": "软件开发；信息技术咨询服务；数据处理和存储支持服务；信息系统集成服务。"}


def main() -> None:
    url = fresh_database()
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as session:
        loader.load(session, with_catalog=False)
        licence_loader.load(session)
        session.commit()
    firms = city.ENTERPRISES

    with factory() as session:
        reviewer = user_actor(session.execute(select(User).where(User.username == "amr_reviewer")).scalar_one())
        business = session.execute(select(LicenceType).where(LicenceType.name == "营业执照")).scalar_one()
        now_naive = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        seal = seals.usable_seal(session, reviewer.department_id or 0, None, now_naive)
        seal_der, sm2_cert, pdf_cert = seal.seal_der, seal.sm2_cert, seal.pdf_cert
        design = seals.design_of(seal)
        chain = ca.trust(session, "ecdsa-p256")
        layout = LicenceLayout.from_json(business.layout)

    # Platform path: issue N licences, one transaction each, as a department's system would.
    steps = {"render": 0.0, "seal_signature": 0.0, "pdf_signature": 0.0}
    issued: list[int] = []
    t0 = time.perf_counter()
    for n in range(N):
        firm = firms[n % len(firms)]
        with factory() as session:
            licence = issuing.issue(session=session, actor=reviewer, licence_in=issuing.LicenceIssue(
                type_id=business.id, holder_name=firm.name, holder_code=firm.uscc, data=_data(n)))
            issued.append(licence.id)
        for step in steps:
            steps[step] += issuing.LAST_STEPS[step]
    issue_seconds = time.perf_counter() - t0

    # Baseline: the same three steps with keys in memory, no database, no key store.
    sm2_private, sm2_public = sm.sm2_generate()
    pdf_key = ec.generate_private_key(ec.SECP256R1())
    assert seal_der is not None and sm2_cert is not None and pdf_cert is not None
    t0 = time.perf_counter()
    for n in range(N):
        canonical = json.dumps({"n": n, "data": _data(n)}, ensure_ascii=False, sort_keys=True).encode()
        ses = asn1.make_signature(seal_der, sm.sm3(canonical), f"bench-{n}", dt.datetime.now(dt.UTC), sm2_cert,
                                  lambda tbs: sm.sm2_sign(sm2_private, sm2_public, tbs))
        doc = LicenceDocument(layout=layout, identifier=f"1.2.156.3005.2.BENCH.{n}", number=str(n),
                              fields=[("名称", firms[n % len(firms)].name), *[(k, v) for k, v in _data(n).items()]],
                              issuer_name="安康市市场监督管理局", issue_date=dt.date.today(), valid_to=None,
                              annotations=[], seal=design, verify_url=f"http://127.0.0.1:8000/verify/{n}", version=1)
        pades.sign_pdf(render_pdf(doc), attachments={"licence.json": canonical, "seal-signature.der": ses},
                       signer_cert=pdf_cert, chain=chain.intermediates + chain.roots,
                       sign=lambda data: pdf_key.sign(data, ec.ECDSA(hashes.SHA256())),
                       signed_at=dt.datetime.now(dt.UTC))
    bare_issue_seconds = time.perf_counter() - t0

    # Verification: the platform's whole answer, against the two signature checks alone.
    with factory() as session:
        store = get_store()  # the signed PDFs live in the file store (files.py)
        pdfs = [store.read_blob(h) for h in session.execute(select(LicenceVersion.pdf_sha256).where(
            LicenceVersion.licence_id.in_(issued))).scalars()]
        ecdsa, sm2 = ca.trust(session, "ecdsa-p256"), ca.trust(session, "sm2")
    now, today = dt.datetime.now(dt.UTC), clock.today()
    vsteps = {"pdf_signature": 0.0, "seal_signature": 0.0, "register": 0.0}
    t0 = time.perf_counter()
    for pdf in pdfs:
        with factory() as session:
            verdict = verify.verify_online(session, pdf, ecdsa=ecdsa, sm2=sm2, now=now, today=today)
        assert verdict.outcome == "valid", verdict.reasons
        for step in vsteps:
            vsteps[step] += verify.LAST_STEPS[step]
    verify_seconds = time.perf_counter() - t0
    vsteps["rest"] = max(0.0, verify_seconds - sum(vsteps.values()))
    # Baseline: the PDF signature and the seal's SM2 signature alone (no chains, no register).
    t0 = time.perf_counter()
    for pdf in pdfs:
        report = pades.inspect_pdf(pdf, roots=ecdsa.roots, intermediates=ecdsa.intermediates, at=now)
        signature = asn1.parse_signature(report.attachments["seal-signature.der"])
        signer = certs.load_certificate(signature.cert)
        assert sm.sm2_verify(signer.public_key, signature.tbs, signature.signed_value)
    bare_verify_seconds = time.perf_counter() - t0

    steps["database_and_rest"] = max(0.0, issue_seconds - sum(steps.values()))
    with factory() as session:
        uses = session.execute(select(Seal.uses).where(Seal.id == seal.id)).scalar_one()
    print(json.dumps({
        "bench": "licences", "database": "postgresql" if url.startswith("postgresql") else "sqlite", "licences": N,
        "issue_per_s": round(N / issue_seconds, 1), "bare_issue_per_s": round(N / bare_issue_seconds, 1),
        "issue_ratio": round(bare_issue_seconds / issue_seconds, 2),
        "issue_ms": round(1000 * issue_seconds / N, 1),
        "issue_step_share": {k: round(v / issue_seconds, 3) for k, v in steps.items()},
        "verify_per_s": round(len(pdfs) / verify_seconds, 1),
        "bare_verify_per_s": round(len(pdfs) / bare_verify_seconds, 1),
        "verify_ratio": round(bare_verify_seconds / verify_seconds, 2),
        "verify_ms": round(1000 * verify_seconds / len(pdfs), 1),
        "verify_step_share": {k: round(v / verify_seconds, 3) for k, v in vsteps.items()},
        "pdf_kb": round(sum(map(len, pdfs)) / len(pdfs) / 1024, 1), "seal_uses": uses,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
