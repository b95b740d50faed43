"""The message templates (消息模板), declared in code and versioned.

A template has a code, a version and, per channel, a subject and a body with ((placeholders)), as GOV.UK
Notify writes them. The first message made from a version stores that version's texts in
`notification_templates`; a stored version is never changed — to change a wording, add the next version
here (the newest version of a code is used for new messages; old messages keep pointing at theirs).

Placeholders every template may use without passing them: ((platform)) (the platform's name) and ((url)) (the
full address of the message's link).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PLACEHOLDER = re.compile(r"\(\(([a-z_][a-z0-9_]*)\)\)")
AUTOMATIC = frozenset({"platform", "url"})

_FOOTER = "\n\n查看详情：((url))\n\n此邮件由((platform))自动发送，请勿直接回复。"


@dataclass(frozen=True)
class Template:
    code: str
    version: int
    name: str  # 中文名称
    channels: dict[str, tuple[str, str]] = field(default_factory=dict)  # channel → (subject, body)

    def placeholders(self) -> set[str]:
        found: set[str] = set()
        for subject, body in self.channels.values():
            found |= set(PLACEHOLDER.findall(subject)) | set(PLACEHOLDER.findall(body))
        return found - AUTOMATIC


_ALL: dict[tuple[str, int], Template] = {}


def register(template: Template) -> Template:
    key = (template.code, template.version)
    if key in _ALL and _ALL[key] != template:
        raise ValueError(f"template {template.code} v{template.version} declared twice with different texts")
    _ALL[key] = template
    return template


def latest(code: str) -> Template | None:
    versions = [t for (c, _v), t in _ALL.items() if c == code]
    return max(versions, key=lambda t: t.version) if versions else None


def all_templates() -> list[Template]:
    return sorted(_ALL.values(), key=lambda t: (t.code, t.version))


_REQUEST_SUBJECT = "共享申请 ((number))：((consumer))申请使用“((resource))”"
_REQUEST_BODY = ("((consumer))为其业务系统“((client))”提交了对贵部门信息资源“((resource))”的共享申请"
                 "（编号 ((number))）。申请信息项：((items))；用途：((purpose))。"
                 "平台合规审查通过后，请在答复期限内办理。")
SHARING_REQUEST_RECEIVED = register(Template(
    code="sharing.request_received", version=1, name="收到共享申请",
    channels={"inbox": (_REQUEST_SUBJECT, _REQUEST_BODY),
              "email": (_REQUEST_SUBJECT, _REQUEST_BODY + _FOOTER)}))

_DEADLINE_SUBJECT = "((what)) ((number)) 将于 ((due_on)) 到期"
_DEADLINE_BODY = "((what)) ((number))（((title))）的办理期限为 ((due_on))，还剩 ((days_left)) 个工作日，请及时办理。"
DEADLINE_NEAR = register(Template(
    code="deadline.near", version=1, name="办理期限临近",
    channels={"inbox": (_DEADLINE_SUBJECT, _DEADLINE_BODY),
              "email": (_DEADLINE_SUBJECT, _DEADLINE_BODY + _FOOTER),
              "sms": ("", "【通办】((what))((number))将于((due_on))到期（剩((days_left))个工作日），"
                          "请及时登录平台办理。")}))

_OVERDUE_SUBJECT = "((what)) ((number)) 已逾期（期限 ((due_on))）"
_OVERDUE_BODY = ("((what)) ((number))（((title))）的办理期限 ((due_on)) 已过，已逾期 ((days_over)) 个工作日，"
                 "已记入逾期预警。请尽快办理。")
DEADLINE_OVERDUE = register(Template(
    code="deadline.overdue", version=1, name="办理已逾期",
    channels={"inbox": (_OVERDUE_SUBJECT, _OVERDUE_BODY),
              "email": (_OVERDUE_SUBJECT, _OVERDUE_BODY + _FOOTER),
              "sms": ("", "【通办】((what))((number))已超过办理期限((due_on))，请尽快登录平台办理。")}))

_RAISED_SUBJECT = "数据疑义 ((number))：((consumer))对“((resource))”的记录提出疑义"
_RAISED_BODY = ("((consumer))对贵部门信息资源“((resource))”中主键为 ((record_key)) 的记录提出数据疑义"
                "（编号 ((number))），涉及信息项：((items))。疑义说明：((description))。"
                "请在 ((due_on)) 前答复：予以更正，或说明不予更正的理由。")
DISPUTE_RAISED = register(Template(
    code="dispute.raised", version=1, name="收到数据疑义",
    channels={"inbox": (_RAISED_SUBJECT, _RAISED_BODY),
              "email": (_RAISED_SUBJECT, _RAISED_BODY + _FOOTER)}))

_ANSWERED_SUBJECT = "数据疑义 ((number)) 已答复：((decision))"
_ANSWERED_BODY = ("((provider))已答复贵部门提出的数据疑义 ((number))（“((resource))”，记录 ((record_key))）："
                  "((decision))。"
                  "答复说明：((note))。((next_step))")
DISPUTE_ANSWERED = register(Template(
    code="dispute.answered", version=1, name="数据疑义已答复",
    channels={"inbox": (_ANSWERED_SUBJECT, _ANSWERED_BODY),
              "email": (_ANSWERED_SUBJECT, _ANSWERED_BODY + _FOOTER)}))
