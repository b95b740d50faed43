"""The pages of seals, licence types, issued licences, 我的证照 and the public verification."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, SmallCity, actor_of, citizen, csrf_from, login
from tests.licences.conftest import LicenceWorld
from tongban.demo.licence_data import LICENCE_TYPES, type_code
from tongban.files import get_store
from tongban.licences import identifier, issuing, licence_types
from tongban.licences.models import Licence, LicenceType, LicenceVersion
from tongban.org.auth import hash_password
from tongban.org.models import User
from tongban.seals.models import Seal

BUSINESS_ITEMS = {"entity_type": "有限责任公司（自然人投资或控股）", "legal_representative": "赵德胜",
                  "registered_capital": "壹佰万元整", "established_on": "2024-06-01",
                  "address": "陕西省安康市汉滨区巴山东路 12 号", "business_scope": "茶叶种植；茶叶销售。"}


def _anonymous(app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, base_url="http://testserver")


def _pdf_of(session: Session, licence_id: int, version: int = 1) -> bytes:
    session.expire_all()
    return get_store().read_blob(session.execute(select(LicenceVersion.pdf_sha256).where(
        LicenceVersion.licence_id == licence_id, LicenceVersion.version == version)).scalar_one())


def _person_type(session: Session, city: SmallCity) -> LicenceType:
    """户口迁移证明 (holder: a person), issued by 市场监管局 here only because the world's seal is there."""
    seed = LICENCE_TYPES[3]
    return licence_types.create_type(session=session, actor=actor_of(city.users["admin"]),
                                     type_in=licence_types.LicenceTypeIn(
                                         code=type_code(seed), name=seed.name, defining_org_name=seed.defining_org_name,
                                         defining_org_code=type_code(seed)[:18], holder_kind=seed.holder_kind,
                                         items=seed.items, layout=seed.layout, validity_years=seed.validity_years,
                                         issuer_department_ids=[city.amr.id]))


def _outcome(html: str) -> str:
    m = re.search(r'data-outcome="([a-z_]+)"', html)
    assert m, "no verdict on the page"
    return m.group(1)


def test_admin_makes_seals_and_manages_them(client: TestClient, city: SmallCity, session: Session) -> None:
    token = login(client, "admin")
    page = client.get("/admin/seals")
    assert page.status_code == 200 and "制作电子印章" in page.text and "电子印章" in page.text
    r = client.post("/admin/seals", data={"csrf_token": token, "department_id": str(city.hrss.id), "kind": "official",
                                          "valid_years": "3", "ca_source": "own"}, follow_redirects=False)
    assert r.status_code == 303
    seal = session.execute(select(Seal).where(Seal.department_id == city.hrss.id)).scalar_one()
    page = client.get(r.headers["location"])
    assert "印章已制作并启用" in page.text
    assert "安康市人力资源和社会保障局" in page.text and seal.es_id in page.text and "正常" in page.text
    assert f'src="/admin/seals/{seal.id}/picture.svg"' in page.text
    assert "<svg" not in page.text  # the picture is served as an image, never inlined
    assert "/api/v1/ca/trust.pem" in page.text and "SM2/SM3" in page.text  # the own CAs are listed
    picture = client.get(f"/admin/seals/{seal.id}/picture.svg")
    assert picture.status_code == 200 and picture.headers["content-type"].startswith("image/svg+xml")
    assert picture.text.startswith("<svg") and "安康市人力资源和社会保障局" in picture.text

    # A second 公章 for the same department is refused with the service's message, on the page.
    again = client.post("/admin/seals", data={"csrf_token": token, "department_id": str(city.hrss.id),
                                              "kind": "official", "valid_years": "3", "ca_source": "own"})
    assert again.status_code == 409 and "该部门已有公章" in again.text
    bad = client.post("/admin/seals", data={"csrf_token": token, "department_id": str(city.hrss.id),
                                            "kind": "approval", "valid_years": "99", "ca_source": "own"})
    assert bad.status_code == 422 and "有效年限" in bad.text

    # Suspending needs a reason; then it shows as suspended, and can be resumed.
    empty = client.post(f"/admin/seals/{seal.id}/status/suspend", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 422 and "请填写暂停或注销印章的原因" in empty.text
    r = client.post(f"/admin/seals/{seal.id}/status/suspend", data={"csrf_token": token, "reason": "保管人变更"},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "印章已暂停使用" in page.text and "已暂停" in page.text and "保管人变更" in page.text
    assert client.post(f"/admin/seals/{seal.id}/status/resume", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    session.refresh(seal)
    assert seal.status == "active"


def test_external_ca_seal_and_ca_import_refuse_bad_certificates(client: TestClient, city: SmallCity,
                                                                  session: Session) -> None:
    token = login(client, "admin")
    r = client.post("/admin/seals", data={"csrf_token": token, "department_id": str(city.amr.id), "kind": "licence",
                                          "valid_years": "2", "ca_source": "external"}, follow_redirects=False)
    assert r.status_code == 303
    seal = session.execute(select(Seal).where(Seal.department_id == city.amr.id)).scalar_one()
    page = client.get("/admin/seals")
    assert "待安装证书" in page.text and f"/admin/seals/{seal.id}/requests/sm2" in page.text
    csr = client.get(f"/admin/seals/{seal.id}/requests/pdf")
    assert csr.status_code == 200 and "BEGIN CERTIFICATE REQUEST" in csr.text
    assert "attachment" in csr.headers["content-disposition"]
    junk = client.post(f"/admin/seals/{seal.id}/certificates",
                       data={"csrf_token": token, "sm2_certificate": "not a certificate",
                             "pdf_certificate": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"})
    assert junk.status_code == 422 and "not a certificate" in junk.text  # the form keeps what was pasted
    assert 'class="error"' in junk.text
    missing = client.post(f"/admin/seals/{seal.id}/certificates", data={"csrf_token": token})
    assert missing.status_code == 422 and "请粘贴外部 CA 签发的两张证书" in missing.text
    ca_junk = client.post("/admin/ca", data={"csrf_token": token, "pem": "garbage", "role": "root"})
    assert ca_junk.status_code == 422 and 'class="error"' in ca_junk.text


def test_licence_type_form_errors_and_create_edit(client: TestClient, city: SmallCity, session: Session) -> None:
    seed = LICENCE_TYPES[1]
    code = type_code(seed)
    form = {"code": code, "name": seed.name, "defining_org_name": seed.defining_org_name,
            "defining_org_code": code[:18], "holder_kind": "entity", "items": "operator_name 经营者名称",
            "title": "", "subtitle": "", "orientation": "portrait", "accent_color": "#1F5FA8", "columns": "1",
            "footer": "", "validity_years": "5", "description": "", "issuer_department_ids": [str(city.amr.id)]}
    token = login(client, "admin")
    assert "数据项" in client.get("/admin/licence-types/new").text
    r = client.post("/admin/licence-types/new", data={**form, "csrf_token": token})
    assert r.status_code == 422 and "数据项第 1 行格式不对" in r.text
    assert "operator_name 经营者名称" in r.text and seed.defining_org_name in r.text  # re-rendered with the input
    r = client.post("/admin/licence-types/new", data={**form, "csrf_token": token,
                                                      "items": "operator_name|经营者名称\nholder_name|持证人"})
    assert r.status_code == 422 and "数据项第 2 行" in r.text and "证照元数据" in r.text
    r = client.post("/admin/licence-types/new", data={**form, "csrf_token": token, "items": "a|名称|颜色"})
    assert r.status_code == 422 and "数据项类型只能是" in r.text
    r = client.post("/admin/licence-types/new", data={**form, "csrf_token": token, "items": "a|名称",
                                                      "accent_color": "red", "validity_years": "十"})
    assert r.status_code == 422 and "有效年限" in r.text
    r = client.post("/admin/licence-types/new", data={**form, "csrf_token": token, "items": "a|名称",
                                                      "accent_color": "red"})
    assert r.status_code == 422 and "版式主色" in r.text
    r = client.post("/admin/licence-types/new", data={**form, "csrf_token": token, "items": "a|名称",
                                                      "defining_org_code": "123"})
    assert r.status_code == 422 and "统一社会信用代码" in r.text

    good = {**form, "csrf_token": token,
            "items": "operator_name|经营者名称|text|必填\naddress|经营场所\nnote|备注|文本|选填"}
    r = client.post("/admin/licence-types/new", data=good, follow_redirects=False)
    assert r.status_code == 303
    row = session.execute(select(LicenceType).where(LicenceType.code == code)).scalar_one()
    assert [i["key"] for i in row.items] == ["operator_name", "address", "note"] and not row.items[2]["required"]
    assert row.layout["title"] == seed.name and row.validity_years == 5
    listing = client.get(r.headers["location"])
    assert seed.name in listing.text and "安康市市场监督管理局" in listing.text and "5 年" in listing.text

    edit = client.get(f"/admin/licence-types/{row.id}")
    assert "note|备注|text|选填" in edit.text and "readonly" in edit.text
    r = client.post(f"/admin/licence-types/{row.id}", data={**good, "validity_years": "", "name": "食品经营许可证（新版）"},
                    follow_redirects=False)
    assert r.status_code == 303
    session.refresh(row)
    assert row.name == "食品经营许可证（新版）" and row.validity_years is None

    # A window clerk reads the catalog but cannot define types.
    login(client, "amr_clerk")
    assert "食品经营许可证（新版）" in client.get("/admin/licence-types").text
    assert client.get("/admin/licence-types/new").status_code == 403


def test_reviewer_issues_annotates_and_revokes_through_the_pages(client: TestClient, session: Session,
                                                                 world: LicenceWorld) -> None:
    token = login(client, "amr_reviewer")
    form = client.get("/licences/new")
    assert form.status_code == 200 and "营业执照" in form.text and "法定代表人" in form.text
    fields = {"csrf_token": token, "type_id": str(world.licence_type.id), "holder_name": "安康富硒茶业有限公司",
              "holder_code": world.holder_code, "service_item_name": "有限责任公司设立登记",
              **{f"item_{k}": v for k, v in BUSINESS_ITEMS.items()}}
    r = client.post("/licences/new", data={**fields, "item_established_on": "2024/06/01"})
    assert r.status_code == 422 and "YYYY-MM-DD" in r.text and "安康富硒茶业有限公司" in r.text
    r = client.post("/licences/new", data={**fields, "holder_code": "91610900MA0000000X"})
    assert r.status_code == 422 and "持证主体代码有误" in r.text
    r = client.post("/licences/new", data=fields, follow_redirects=False)
    assert r.status_code == 303
    licence = session.execute(select(Licence)).scalar_one()
    assert r.headers["location"].startswith(f"/licences/{licence.id}")
    detail = client.get(r.headers["location"])
    assert "证照已签发" in detail.text and "安康富硒茶业有限公司" in detail.text and "赵德胜" in detail.text
    assert licence.identifier in detail.text and f"/verify/{licence.identifier}" in detail.text
    assert "有效" in detail.text and "签发" in detail.text

    listing = client.get("/licences?status=valid")
    assert licence.number in listing.text and "安康富硒茶业有限公司" in listing.text  # an enterprise, not masked

    empty = client.post(f"/licences/{licence.id}/annotate", data={"csrf_token": token, "text": ""})
    assert empty.status_code == 422 and "请填写加注内容" in empty.text
    r = client.post(f"/licences/{licence.id}/annotate", data={"csrf_token": token, "text": "住所变更为金州路 1 号"},
                    follow_redirects=False)
    assert r.status_code == 303
    detail = client.get(f"/licences/{licence.id}")
    assert "第 2 版" in detail.text and "住所变更为金州路 1 号" in detail.text
    first = client.get(f"/licences/{licence.id}/pdf?version=1")
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    assert first.content.startswith(b"%PDF") and first.content == _pdf_of(session, licence.id, 1)

    no_reason = client.post(f"/licences/{licence.id}/status/revoke", data={"csrf_token": token, "reason": ""})
    assert no_reason.status_code == 422 and "请填写暂停或注销证照的原因" in no_reason.text
    r = client.post(f"/licences/{licence.id}/status/revoke", data={"csrf_token": token, "reason": "企业申请注销"},
                    follow_redirects=False)
    assert r.status_code == 303
    detail = client.get(r.headers["location"])
    assert "证照已注销" in detail.text and "已注销" in detail.text and "企业申请注销" in detail.text
    again = client.post(f"/licences/{licence.id}/status/suspend", data={"csrf_token": token, "reason": "x"})
    assert again.status_code == 409 and "不能执行此操作" in again.text


def test_other_departments_and_citizens_cannot_read_a_licence(client: TestClient, session: Session,
                                                              world: LicenceWorld) -> None:
    licence = world.issue(session)
    login(client, "hrss_clerk")
    # Another department's licence answers like a missing one: its existence is personal information.
    assert client.get(f"/licences/{licence.id}").status_code == 404
    assert client.get(f"/licences/{licence.id}/pdf").status_code == 404
    assert licence.number not in client.get("/licences").text
    assert client.get("/licences/new").status_code == 403  # a clerk does not issue
    login(client, world.city.users["citizen"].username)
    assert client.get(f"/licences/{licence.id}").status_code == 403
    assert client.get(f"/my/licences/{licence.id}/pdf").status_code == 404  # not theirs: as if not there
    assert "暂无您的电子证照" in client.get("/my/licences").text


def test_persons_are_masked_in_the_list_and_on_verification(client: TestClient, session: Session,
                                                           world: LicenceWorld, app) -> None:  # type: ignore[no-untyped-def]
    person_type = _person_type(session, world.city)
    holder = citizen(session, name="王小明")
    session.commit()
    licence = world.issue(session, type_id=person_type.id, holder_name="王小明", holder_code=holder.id_number,
                          data={"gender": "男", "birth_date": "1990-05-01", "from_address": "陕西省安康市汉滨区",
                                "to_address": "陕西省西安市雁塔区", "reason": "工作调动"})
    login(client, "amr_clerk")
    listing = client.get("/licences")
    assert "王**" in listing.text and "王小明" not in listing.text
    assert holder.id_number[:6] + "********" in listing.text and holder.id_number not in listing.text
    assert "王小明" in client.get(f"/licences/{licence.id}").text  # the audited detail shows it in full
    with _anonymous(app) as anonymous:
        page = anonymous.get(f"/verify/{licence.identifier}")
        assert page.status_code == 200 and _outcome(page.text) == "valid"
        assert "王**" in page.text and "王小明" not in page.text and holder.id_number not in page.text


def test_enterprise_sees_and_downloads_its_licences(client: TestClient, session: Session, world: LicenceWorld) -> None:
    licence = world.issue(session)
    session.add(User(username=world.holder_code, display_name="安康汉水云科技有限公司", kind="enterprise",
                     credit_code=world.holder_code, password_hash=hash_password(PASSWORD)))
    session.commit()
    login(client, world.holder_code)
    home = client.get("/home")
    assert 'href="/my/licences"' in home.text
    page = client.get("/my/licences")
    assert page.status_code == 200 and "营业执照" in page.text and licence.number in page.text
    assert "安康市市场监督管理局" in page.text and "有效" in page.text
    assert f'href="/verify/{licence.identifier}"' in page.text
    pdf = client.get(f"/my/licences/{licence.id}/pdf")
    assert pdf.status_code == 200 and pdf.content == _pdf_of(session, licence.id)
    assert client.get(f"/licences/{licence.id}").status_code == 403  # the staff page is for staff
    login(client, "amr_reviewer")
    assert client.get("/my/licences").status_code == 403


def test_public_verification_of_uploaded_files(session: Session, world: LicenceWorld, app) -> None:  # type: ignore[no-untyped-def]
    licence = world.issue(session)
    pdf = _pdf_of(session, licence.id)
    with _anonymous(app) as anonymous:
        page = anonymous.get("/verify")
        assert page.status_code == 200 and "上传证照 PDF 核验" in page.text and 'href="/verify"' in page.text
        token = csrf_from(page.text)

        def upload(data: bytes, name: str = "licence.pdf") -> object:
            return anonymous.post("/verify", data={"csrf_token": token},
                                  files={"file": (name, data, "application/pdf")})

        r = upload(pdf)
        assert r.status_code == 200 and _outcome(r.text) == "valid"
        assert "安康汉水云科技有限公司" in r.text and licence.identifier in r.text and "✓" in r.text
        altered = bytearray(pdf)
        altered[len(altered) // 2] ^= 0x01
        r = upload(bytes(altered))
        assert _outcome(r.text) == "altered" and "已被篡改" in r.text
        r = upload(b"just some words, not a licence", "note.txt")
        assert r.status_code == 200 and _outcome(r.text) == "not_a_licence" and "不是 PDF" in r.text
        r = upload(b"")
        assert r.status_code == 422 and "请选择要核验的证照 PDF 文件" in r.text
        r = upload(b"%PDF" + b"0" * (10 * 1024 * 1024))
        assert r.status_code == 422 and "文件过大" in r.text
        forged = anonymous.post("/verify", data={"csrf_token": "forged"}, files={"file": ("a.pdf", pdf)})
        assert forged.status_code == 403


def test_public_verification_by_identifier(session: Session, world: LicenceWorld, app) -> None:  # type: ignore[no-untyped-def]
    licence = world.issue(session)
    with _anonymous(app) as anonymous:
        r = anonymous.get("/verify/not-an-identifier", headers={"accept": "text/html"})
        assert r.status_code == 422 and "证照标识应以 1.2.156.3005.2. 开头" in r.text
        ident = identifier.parse(licence.identifier)
        wrong = str(ident)[:-1] + ("0" if ident.check != "0" else "1")
        r = anonymous.get(f"/verify/{wrong}")
        assert r.status_code == 422 and "校验位不正确" in r.text
        unknown = identifier.build(ident.type_code, ident.issuer_code, "209901010001", 1)
        assert _outcome(anonymous.get(f"/verify/{unknown}").text) == "unknown"
        r = anonymous.get("/verify", params={"identifier": licence.identifier.lower()}, follow_redirects=False)
        assert r.status_code == 303
        r = anonymous.get(r.headers["location"])
        assert _outcome(r.text) == "valid" and "平台登记" in r.text

        issuing.change_status(session=session, actor=actor_of(world.city.users["amr_reviewer"]),
                              licence_id=licence.id, action="revoke", reason="企业已注销")
        r = anonymous.get(f"/verify/{licence.identifier}")
        assert r.status_code == 200 and _outcome(r.text) == "revoked" and "企业已注销" in r.text
