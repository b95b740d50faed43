"""The message template of supervision alerts (declared with the notification templates' registry)."""

from __future__ import annotations

from tongban.notifications.message_templates import Template, register

_FOOTER = "\n\n查看详情：((url))\n\n此邮件由((platform))自动发送，请勿直接回复。"
_SUBJECT = "【电子监察·((level))】办件 ((number))：((rule))"
_BODY = ("办件 ((number))（((title))，((department))）触发监察规则“((rule))”，期限 ((due_on))，"
         "自 ((raised_on)) 起仍未消除。请督促及时办理。")
ALERT_OPEN = register(Template(
    code="supervision.alert", version=1, name="电子监察预警",
    channels={"inbox": (_SUBJECT, _BODY), "email": (_SUBJECT, _BODY + _FOOTER)}))
