"""Audit use-cases: append to the hash chain (inside the caller's transaction), verify, search.

Each entry carries the hash of the previous one and its own HMAC-SHA256 over a canonical
encoding, keyed with TONGBAN_AUDIT_KEY. Sequence numbers are contiguous and assigned under a
lock on the single chain-head row, so concurrent writers append in commit order on both SQLite
(the write lock) and PostgreSQL (SELECT … FOR UPDATE).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from tongban.audit import anchors
from tongban.audit.models import AuditChainHead, AuditEntry
from tongban.authz import Actor, Permission
from tongban.config import get_settings
from tongban.db import READS_WITHOUT_TRANSACTION, Base, utcnow

GENESIS_HASH = "0" * 64
_HEAD_KEY = "tongban.audit.head"

ACTION_LABELS: dict[str, str] = {
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.lockout": "账号锁定",
    "auth.password_change": "修改密码",
    "department.create": "新建部门",
    "department.update": "修改部门",
    "region.create": "新建行政区划",
    "user.create": "新建用户",
    "user.update": "修改用户",
    "user.unlock": "解除锁定",
    "user.password_reset": "重置密码",
    "account.create": "新建群众/企业账号",
    "account.read": "查阅群众/企业账号",
    "client.create": "新建应用系统",
    "client.update": "修改应用系统",
    "api_key.create": "签发 API 密钥",
    "api_key.revoke": "吊销 API 密钥",
    "api_key.rejected": "API 密钥被拒绝",
    "access.denied": "越权访问被拒绝",
    "audit.search": "查询审计日志",
    "demo.load": "加载演示数据",
    "demo.items_load": "加载演示政务服务事项",
    "item.basic_create": "新增基本目录事项",
    "item.basic_update": "修改基本目录事项",
    "item.implementation_create": "编制实施清单",
    "item.implementation_update": "修改实施清单",
    "item.implementation_submit": "提交实施清单审核",
    "item.implementation_approve": "审核通过实施清单并发布",
    "item.implementation_return": "退回实施清单",
    "item.implementation_retire": "停用实施清单",
    "item.implementations_import": "导入实施清单",
    "item.bundle_create": "新建一件事",
    "item.bundle_update": "修改一件事",
    "item.bundle_version": "一件事形成新版本",
    "item.bundle_publish": "发布一件事",
    "item.bundle_retire": "停用一件事",
    "item.bundle_delete": "删除一件事草稿",
    "item.event_set": "设置事项分类（人生事件/企业事件）",
    "item.event_rename": "事件改名",
    "item.event_reorder": "调整事件顺序",
    "item.event_delete": "删除事件",
    "case.create": "新建办件草稿",
    "case.prefill": "预填申请表",
    "case.number": "办件取号",
    "case.material": "提交或更新申请材料",
    "case.material_fetched": "获取共享材料",
    "case.material_upload_instead": "材料改为上传",
    "case.window_fetch_consent": "申请人当面同意窗口代为调取",
    "case.material_read": "查看申请材料",
    "case.submit": "提交申请",
    "case.supplement": "提交补正材料",
    "case.withdraw": "撤回申请",
    "case.accept": "受理",
    "case.deemed_accept": "逾期未告知补正，视为受理",
    "case.reject": "不予受理",
    "case.request_supplement": "一次性告知补正",
    "case.review": "审查",
    "case.opinion": "提出审查意见",
    "case.decide": "作出决定",
    "case.suspend": "特别程序（时限中止）",
    "case.resume": "特别程序结束（时限恢复）",
    "case.close": "办结",
    "case.deliver": "送达",
    "case.follow": "联办事项同步",
    "case.notice_failed": "文书未能签发",
    "case.read": "查看办件",
    "case.applicant_lookup": "窗口查找申请人",
    "case.fee_charge": "登记收费",
    "case.fee_refund": "登记退费",
    "rating.create": "提交好差评",
    "rating.default": "默认评价",
    "rating.add": "补充评价",
    "rating.callback": "差评回访",
    "rating.verify": "差评核实",
    "rating.rectify_plan": "限期整改",
    "rating.rectified": "整改完成",
    "rating.explain": "情况说明",
    "rating.notify": "整改结果告知申请人",
    "rating.appeal": "提出申诉复核",
    "rating.appeal_void": "申诉成立，评价作废",
    "rating.appeal_keep": "申诉不成立，维持评价",
    "rating.rectify_overdue": "差评整改逾期，提醒部门负责人",
    "rating.rectify_escalate": "差评整改逾期，报监察人员",
    "supervision.rule_create": "新增监察规则",
    "supervision.rule_update": "修改监察规则",
    "supervision.alert_raise": "产生监察告警",
    "supervision.alert_clear": "解除监察告警",
    "supervision.alert_escalate": "监察告警升级",
    "supervision.alert_close": "关闭监察告警（附处理结果）",
    "supervision.order_issue": "发出督办",
    "supervision.order_answer": "答复督办",
    "supervision.order_conclude": "督办办结",
    "supervision.order_return": "退回督办答复",
    "document.issue": "签发文书",
    "document.revoke": "撤销文书",
    "document.download": "下载文书",
    "search.term_add": "新增检索词",
    "search.term_edit": "修改检索词",
    "search.term_activate": "启用检索词",
    "search.term_deactivate": "停用检索词",
    "search.terms_seed": "导入检索词典",
    "calendar.update": "修改节假日安排",
    "catalog.create": "新建信息资源",
    "catalog.update": "修改信息资源",
    "catalog.publish": "发布信息资源",
    "catalog.retire": "下架信息资源",
    "catalog.delete_draft": "删除资源草稿",
    "catalog.import": "导入资源目录",
    "catalog.classification_create": "新建目录分类",
    "sharing.submit": "提交共享申请",
    "sharing.withdraw": "撤回共享申请",
    "sharing.compliance_pass": "合规审查通过",
    "sharing.compliance_reject": "合规审查不通过",
    "sharing.provider_approve": "提供部门同意共享",
    "sharing.provider_refuse": "提供部门不予共享",
    "sharing.object": "提出异议",
    "sharing.coordinate_grant": "协调后予以共享",
    "sharing.coordinate_uphold": "协调后维持不予共享",
    "sharing.overdue": "共享申请逾期",
    "grant.create": "生成授权",
    "grant.suspend": "暂停授权",
    "grant.resume": "恢复授权",
    "grant.revoke": "撤销授权",
    "grant.quota": "调整调用限额",
    "registry.ingest_start": "开始数据归集",
    "registry.publish": "发布归集数据",
    "dispute.raise": "提出数据疑义",
    "dispute.attach": "补充疑义证据",
    "dispute.attachment_download": "下载疑义证据",
    "dispute.correct": "提供部门已更正",
    "dispute.reject": "提供部门不予更正",
    "dispute.withdraw": "撤回数据疑义",
    "dispute.escalate": "提请平台协调疑义",
    "dispute.coordinate_correct": "协调后予以更正",
    "dispute.coordinate_uphold": "协调后维持原数据",
    "dispute.overdue": "数据疑义逾期",
    "endpoint.register": "登记接口地址",
    "endpoint.update": "修改接口地址",
    "endpoint.enable": "启用接口",
    "endpoint.disable": "停用接口",
    "endpoint.check": "测试接口连通",
    "ca.import": "导入 CA 证书",
    "ca.retire": "停用 CA 证书",
    "seal.create": "制作电子印章",
    "seal.certificates": "安装印章证书",
    "seal.suspend": "暂停使用电子印章",
    "seal.resume": "恢复使用电子印章",
    "seal.revoke": "注销电子印章",
    "seal.use": "使用电子印章签章",
    "licence_type.create": "新建证照类型",
    "licence_type.update": "修改证照类型",
    "licence.issue": "签发电子证照",
    "licence.annotate": "证照加注",
    "licence.suspend": "暂停电子证照",
    "licence.resume": "恢复电子证照",
    "licence.revoke": "注销电子证照",
    "licence.expire": "电子证照到期",
    "licence.read": "查阅电子证照",
    "licence.download": "下载电子证照",
    "exchange_log.reject": "交换日志记录未通过封存校验",
    "job.retry": "后台任务重新排队",
    "exchange_log.reject_subject": "交换日志涉及对象未通过封存校验",
}


def canonical_detail(detail: dict[str, Any] | None) -> str:
    return json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _ts(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


_DIGEST_FIELDS = ("seq", "occurred_at", "actor_kind", "actor_id", "actor_name", "department_id", "action",
                  "object_type", "object_id", "purpose", "result", "client_ip", "detail", "prev_hash")


def entry_digest(entry: AuditEntry | dict[str, Any], key: bytes) -> str:
    """HMAC-SHA256 over the canonical encoding of every field but the hash itself."""
    get = entry.get if isinstance(entry, dict) else lambda name: getattr(entry, name)
    values: list[Any] = [get(name) for name in _DIGEST_FIELDS]
    values[1] = _ts(values[1])
    payload = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _key() -> bytes:
    return get_settings().audit_key.encode("utf-8")


def _lock_head(session: Session) -> tuple[int, str]:
    """Lock the chain head for the rest of the transaction and return (last_seq, last_hash)."""
    if session.get_bind().dialect.name == "sqlite":
        # Take SQLite's write lock before reading the head, so no other writer slips in between.
        session.execute(update(AuditChainHead).where(AuditChainHead.id == 1).values(id=1))
        q = select(AuditChainHead.last_seq, AuditChainHead.last_hash).where(AuditChainHead.id == 1)
    else:
        q = (select(AuditChainHead.last_seq, AuditChainHead.last_hash).where(AuditChainHead.id == 1)
             .with_for_update())
    row = session.execute(q).first()
    if row is None:
        session.execute(insert(AuditChainHead).values(id=1, last_seq=0, last_hash=GENESIS_HASH))
        return 0, GENESIS_HASH
    return int(row[0]), str(row[1])


_LOG = Base.metadata.tables["audit_log"]
_HEAD = Base.metadata.tables["audit_chain_head"]
_INSERT_ENTRY = insert(_LOG)
_UPDATE_HEAD = (update(_HEAD).where(_HEAD.c.id == 1)
                .values(last_seq=bindparam("last_seq"), last_hash=bindparam("last_hash")))


def _head(session: Session) -> tuple[int, str]:
    """(last_seq, last_hash), the head locked once per transaction and kept in session.info after that."""
    if session.info.get(READS_WITHOUT_TRANSACTION):
        raise RuntimeError("an audit entry in a session reading without a transaction (db.read_without_transaction): "
                           "call db.writes_need_a_transaction first")
    tx = session.get_transaction()
    cached = session.info.get(_HEAD_KEY)
    if tx is not None and cached is not None and cached[0] is tx:
        return cached[1], cached[2]
    return _lock_head(session)


def _entry(seq: int, prev_hash: str, *, actor: Actor, action: str, object_type: str, object_id: str | int | None,
           purpose: str, result: str, detail: dict[str, Any] | None, key: bytes) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "seq": seq,
        "occurred_at": utcnow(),
        "actor_kind": actor.kind,
        "actor_id": "" if actor.id is None else str(actor.id),
        "actor_name": actor.name,
        "department_id": actor.department_id,
        "action": action,
        "object_type": object_type,
        "object_id": "" if object_id is None else str(object_id)[:64],
        "purpose": purpose,
        "result": result,
        "client_ip": actor.client_ip,
        "detail": canonical_detail(detail),
        "prev_hash": prev_hash,
    }
    entry["hash"] = entry_digest(entry, key)
    return entry


def _append(session: Session, entries: list[dict[str, Any]]) -> None:
    # Pre-built Core statements: appending is on every request's path, so it must stay cheap.
    session.execute(_INSERT_ENTRY, entries if len(entries) > 1 else entries[0])
    session.execute(_UPDATE_HEAD, {"last_seq": entries[-1]["seq"], "last_hash": entries[-1]["hash"]})
    session.info[_HEAD_KEY] = (session.get_transaction(), entries[-1]["seq"], entries[-1]["hash"])


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int | None,
    purpose: str = "",
    result: str = "success",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction; it commits or rolls back with the change.

    The head row stays locked until the transaction ends, so the head read once per transaction
    is still current for every later entry of the same transaction.
    """
    last_seq, last_hash = _head(session)
    entry = _entry(last_seq + 1, last_hash, actor=actor, action=action, object_type=object_type,
                   object_id=object_id, purpose=purpose, result=result, detail=detail, key=_key())
    _append(session, [entry])
    return AuditEntry(**entry)


def record_batch(
    session: Session,
    *,
    actor: Actor,
    action: str,
    object_type: str,
    objects: Sequence[tuple[str | int | None, dict[str, Any] | None]],
    purpose: str = "",
    result: str = "success",
) -> int:
    """Append one entry per (object_id, detail), in order, exactly as `record` would one by one (same chain,
    same fields), with one insert of many rows and one head update: for a job that audits thousands of
    objects in a transaction (电子监察's sweep). Returns how many were appended."""
    if not objects:
        return 0
    last_seq, last_hash = _head(session)
    key = _key()
    entries: list[dict[str, Any]] = []
    for object_id, detail in objects:
        entry = _entry(last_seq + 1, last_hash, actor=actor, action=action, object_type=object_type,
                       object_id=object_id, purpose=purpose, result=result, detail=detail, key=key)
        entries.append(entry)
        last_seq, last_hash = entry["seq"], entry["hash"]
    for start in range(0, len(entries), 1000):
        _append(session, entries[start:start + 1000])
    return len(entries)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""  # altered / removed / inserted / truncated
    message: str = ""


def verify(session: Session, *, batch: int = 5000,
           extra_checkpoints: list[anchors.Checkpoint] | None = None) -> VerifyResult:
    """Walk the chain in order and report the first altered, removed or inserted entry.

    Then compare with the newest checkpoint (anchors.py): the chain must still reach it with the
    same hash, which catches a tail deleted together with the head row set back.
    """
    anchor = anchors.latest(session, extra_checkpoints)
    if anchor.problem:
        return VerifyResult(False, 0, None, "checkpoint", anchor.problem)
    cp = anchor.checkpoint
    hash_at_cp: str | None = None
    first_after_cp: int | None = None  # first entry up to the checkpoint written after it was taken
    key = _key()
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    last_seq = 0
    while True:
        rows = session.execute(
            select(AuditEntry).where(AuditEntry.seq >= expected_seq).order_by(AuditEntry.seq).limit(batch)
        ).scalars().all()
        if not rows:
            break
        for e in rows:
            if e.seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, "removed",
                                    f"第 {expected_seq} 条至第 {e.seq - 1} 条审计记录缺失（已被删除）。")
            if entry_digest(e, key) != e.hash:
                return VerifyResult(False, checked, e.seq, "altered",
                                    f"第 {e.seq} 条审计记录的内容或校验值被篡改，或为伪造插入的记录。")
            if e.prev_hash != prev_hash:
                return VerifyResult(False, checked, e.seq, "inserted",
                                    f"第 {e.seq} 条审计记录与前一条不衔接：其前有记录被插入、删除或替换。")
            if cp is not None and e.seq <= cp.audit_seq:
                if e.seq == cp.audit_seq:
                    hash_at_cp = e.hash
                if first_after_cp is None and e.occurred_at > cp.taken:
                    first_after_cp = e.seq
            prev_hash = e.hash
            last_seq = e.seq
            expected_seq += 1
            checked += 1
        session.expunge_all()
    head = session.get(AuditChainHead, 1)
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev_hash):
        if head.last_seq > last_seq:
            return VerifyResult(False, checked, last_seq + 1, "removed",
                                f"审计链末尾应有第 {head.last_seq} 条记录，实际只到第 {last_seq} 条：末尾记录被删除。")
        return VerifyResult(False, checked, head.last_seq + 1, "inserted",
                            f"第 {head.last_seq} 条之后出现了链头之外的记录：疑似伪造插入。")
    if cp is None:
        return VerifyResult(True, checked, message=f"审计链完整，共校验 {checked} 条记录。"
                            "（尚无检查点，无法发现末尾被删除；请定时执行 tongban log checkpoint。）")
    where = anchors.describe(cp)
    if last_seq < cp.audit_seq:
        return VerifyResult(False, checked, last_seq + 1, "truncated",
                            f"审计链只到第 {last_seq} 条，但{where}记录已有 {cp.audit_seq} 条："
                            f"第 {last_seq + 1} 条至第 {cp.audit_seq} 条被删除，链头被回退。")
    if hash_at_cp != cp.audit_hash:
        bad = first_after_cp or cp.audit_seq
        return VerifyResult(False, checked, bad, "rewritten",
                            f"审计链第 {cp.audit_seq} 条与{where}不符：自第 {bad} 条起的记录在检查点之后被删除，"
                            "链头被回退后又续写了新记录。")
    return VerifyResult(True, checked, message=f"审计链完整，共校验 {checked} 条记录，与{where}一致。")


@dataclass
class AuditFilter:
    actor: str | None = None  # user name, user id or client id
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    page: int = 1
    size: int = 50


def search(session: Session, *, actor: Actor, filters: AuditFilter) -> tuple[list[AuditEntry], int]:
    """Admins search every entry; department admins only their department's."""
    actor.require(Permission.AUDIT_READ)
    q = select(AuditEntry)
    scope = actor.department_scope(Permission.AUDIT_READ)
    if scope is not None:
        q = q.where(AuditEntry.department_id.in_(scope))
    if filters.actor:
        term = filters.actor.strip()
        q = q.where(or_(AuditEntry.actor_id == term, AuditEntry.actor_name == term,
                        AuditEntry.actor_name.like(f"%{term}%")))
    if filters.action:
        q = q.where(AuditEntry.action == filters.action)
    if filters.object_type:
        q = q.where(AuditEntry.object_type == filters.object_type)
    if filters.object_id:
        q = q.where(AuditEntry.object_id == filters.object_id.strip())
    if filters.since:
        q = q.where(AuditEntry.occurred_at >= filters.since)
    if filters.until:
        q = q.where(AuditEntry.occurred_at < filters.until)
    total = session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    rows = session.execute(
        q.order_by(AuditEntry.seq.desc()).offset((filters.page - 1) * filters.size).limit(filters.size)
    ).scalars().all()
    return list(rows), int(total)
