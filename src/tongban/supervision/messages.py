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

# The same, about several cases of one rule at once (one notice per recipient group and sweep).
_DIGEST_SUBJECT = "【电子监察·((level))】((count)) 件办件：((rule))"
_DIGEST_BODY = ("((department))有 ((count)) 件办件触发监察规则“((rule))”仍未消除：((numbers))。请督促及时办理。")
ALERT_DIGEST = register(Template(
    code="supervision.alert_digest", version=1, name="电子监察预警汇总",
    channels={"inbox": (_DIGEST_SUBJECT, _DIGEST_BODY), "email": (_DIGEST_SUBJECT, _DIGEST_BODY + _FOOTER)}))

# 督办: the department is told of an order, of an answer sent back and of the conclusion; the supervisor of an answer.
_ORDER_SUBJECT = "【督办】((number))：办件 ((case_number))"
_ORDER_BODY = ("监察人员就办件 ((case_number))（((title))）向((department))发出督办 ((number))，请于 ((due_on)) 前"
               "说明：((requirement))")
ORDER_ISSUED = register(Template(
    code="supervision.order", version=1, name="督办通知",
    channels={"inbox": (_ORDER_SUBJECT, _ORDER_BODY), "email": (_ORDER_SUBJECT, _ORDER_BODY + _FOOTER)}))
_RETURN_SUBJECT = "【督办退回】((number))：请重新答复"
_RETURN_BODY = "督办 ((number))（办件 ((case_number))）的答复被退回：((note))。请于 ((due_on)) 前重新答复。"
ORDER_RETURNED = register(Template(
    code="supervision.order_returned", version=1, name="督办答复退回",
    channels={"inbox": (_RETURN_SUBJECT, _RETURN_BODY), "email": (_RETURN_SUBJECT, _RETURN_BODY + _FOOTER)}))
_ANSWER_SUBJECT = "【督办答复】((number))：((department))已答复"
_ANSWER_BODY = "((department))已答复督办 ((number))（办件 ((case_number))）((late))：((answer))"
ORDER_ANSWERED = register(Template(
    code="supervision.order_answered", version=1, name="督办答复",
    channels={"inbox": (_ANSWER_SUBJECT, _ANSWER_BODY), "email": (_ANSWER_SUBJECT, _ANSWER_BODY + _FOOTER)}))
_DONE_SUBJECT = "【督办办结】((number))"
_DONE_BODY = "督办 ((number))（办件 ((case_number))）的答复已被监察人员采纳，督办办结。((note))"
ORDER_CONCLUDED = register(Template(
    code="supervision.order_concluded", version=1, name="督办办结",
    channels={"inbox": (_DONE_SUBJECT, _DONE_BODY), "email": (_DONE_SUBJECT, _DONE_BODY + _FOOTER)}))
