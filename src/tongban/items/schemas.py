"""Input and output schemas of the service-items domain."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tongban.schema_types import OneLine, RefId, Strict, UtcDateTime

ITEM_TYPES: tuple[str, ...] = (
    "行政许可", "行政给付", "行政确认", "行政裁决", "行政奖励", "行政备案", "其他行政权力", "公共服务",
    "行政征收", "行政检查",
)
LEVELS: tuple[str, ...] = ("省级", "市级", "县级")
MATERIAL_SOURCES: tuple[str, ...] = ("upload", "licence", "shared", "bundle", "waived")
SOURCE_LABELS: dict[str, str] = {
    "upload": "申请人上传", "licence": "电子证照", "shared": "共享数据", "bundle": "一件事内其他事项办理结果",
    "waived": "免提交",
}
STATUS_LABELS: dict[str, str] = {"draft": "草稿", "review": "待审核", "published": "已发布", "retired": "已停用"}
CONDITION_OPS: tuple[str, ...] = ("==", "!=", ">", ">=", "<", "<=", "in")

Source = Literal["upload", "licence", "shared", "bundle", "waived"]
#: 收费: the text of a free item, and the largest fixed fee (分) the platform takes as sane (100 万元).
FREE = "不收费"
FEE_MAX_FEN = 100_000_000


def fee_standard(guide: dict[str, Any]) -> int | None:
    """The fee standard (分) of a published guide or a case's snapshot: its `fee_amount_fen`, or for a guide
    published before it existed, 0 when the text is “不收费”; None: as the text says (no fixed amount)."""
    if "fee_amount_fen" in guide:
        value = guide["fee_amount_fen"]
        return int(value) if value is not None else None
    return 0 if str(guide.get("fee") or "").strip() == FREE else None


# ---------------------------------------------------------------- basic catalog


class BasicItemIn(Strict):
    """基本目录 entry: the four elements shared by all levels, and the levels that exercise the item."""

    code: str = Field(min_length=4, max_length=32, pattern=r"^[0-9A-Za-z\-]+$", description="事项编码")
    name: OneLine = Field(min_length=2, max_length=128, description="事项名称")
    item_type: str = Field(description="事项类型")
    legal_basis: str = Field(min_length=2, max_length=4000, description="设定依据")
    levels: list[str] = Field(min_length=1, max_length=3, description="行使层级：省级 / 市级 / 县级")
    high_frequency: bool = Field(default=False, description="高频事项")

    @field_validator("item_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in ITEM_TYPES:
            raise ValueError("事项类型应为：" + "、".join(ITEM_TYPES))
        return value

    @field_validator("levels")
    @classmethod
    def _known_levels(cls, value: list[str]) -> list[str]:
        if any(v not in LEVELS for v in value) or len(set(value)) != len(value):
            raise ValueError("行使层级应为省级、市级、县级中的一个或多个，不重复")
        return [lv for lv in LEVELS if lv in value]


class BasicItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    item_type: str
    legal_basis: str
    levels: list[str]
    high_frequency: bool


# ---------------------------------------------------------------- implementations


class MaterialIn(Strict):
    """申请材料 and where it comes from."""

    name: OneLine = Field(min_length=2, max_length=128, description="材料名称")
    source: Source = Field(description="来源：upload 上传、licence 电子证照、shared 共享数据、"
                                       "bundle 一件事内其他事项、waived 免提交")
    ref: OneLine = Field(default="", max_length=512,
                         description="licence：证照类型名称；shared：“资源名称:信息项,信息项”；bundle：产生它的事项编码")
    required: bool = True
    note: str = Field(default="", max_length=2000, description="说明；免提交时为免提交的依据")

    @model_validator(mode="after")
    def _ref_needed(self) -> MaterialIn:
        if self.source in ("licence", "shared", "bundle") and not self.ref:
            what = {"licence": "证照类型名称", "shared": "共享资源及信息项",
                    "bundle": "产生该材料的事项编码"}[self.source]
            raise ValueError(f"材料“{self.name}”来源为{SOURCE_LABELS[self.source]}，请填写{what}（ref）")
        if self.source == "waived" and not self.note:
            raise ValueError(f"材料“{self.name}”为免提交，请在说明（note）中写明免提交的依据")
        return self


class ImplementationIn(Strict):
    """实施清单: what a department sets for its region. The four basic elements (事项名称, 事项编码, 事项类型,
    设定依据) come from the basic catalog; they may be repeated here (e.g. from a spreadsheet row) but a
    different value is refused (三级四同)."""

    basic_code: str = Field(min_length=4, max_length=32, description="基本目录的事项编码")
    department_id: RefId | None = Field(default=None, description="实施主体（默认本部门）")
    name: str | None = Field(default=None, max_length=128, description="事项名称（来自基本目录，不可更改）")
    code: str | None = Field(default=None, max_length=32, description="事项编码（来自基本目录，不可更改）")
    item_type: str | None = Field(default=None, max_length=16, description="事项类型（来自基本目录，不可更改）")
    legal_basis: str | None = Field(default=None, max_length=4000, description="设定依据（来自基本目录，不可更改）")
    legal_days: int = Field(ge=0, le=3650, description="法定办结时限（工作日）")
    promised_days: int = Field(ge=0, le=3650, description="承诺办结时限（工作日，0 为即办）")
    fee: str = Field(default="不收费", min_length=1, max_length=2000, description="收费")
    fee_amount_fen: int | None = Field(
        default=None, ge=0, le=FEE_MAX_FEN,
        description="收费标准（分）：0 为不收费，正数为固定金额，不填为按收费说明收取（非固定金额）；"
                    "收费说明为“不收费”时默认为 0。电子监察据此检查办件的收费")
    conditions: list[str] = Field(default_factory=list, max_length=50, description="申请条件")
    materials: list[MaterialIn] = Field(default_factory=list, max_length=100, description="申请材料")
    steps: list[str] = Field(default_factory=list, max_length=30, description="办理流程")
    visits: int = Field(default=0, ge=0, le=20, description="到办事现场次数")
    channels: list[str] = Field(default_factory=list, max_length=20, description="办理渠道")
    service_objects: list[str] = Field(default_factory=list, max_length=20, description="服务对象")
    consult_phone: OneLine = Field(default="", max_length=64, description="咨询电话")
    complaint_phone: OneLine = Field(default="", max_length=64, description="投诉电话")
    place: str = Field(default="", max_length=2000, description="办理地点")
    hours: str = Field(default="", max_length=2000, description="办理时间")
    online: bool = Field(default=True, description="是否网上可办")
    instant: bool = Field(default=False, description="是否即办件")
    result_name: OneLine = Field(default="", max_length=128, description="结果名称")
    licence_type: OneLine | None = Field(default=None, max_length=64, description="结果为电子证照时的证照类型名称")
    change_note: str = Field(default="", max_length=2000, description="变更说明")

    @model_validator(mode="after")
    def _consistent(self) -> ImplementationIn:
        if self.promised_days > self.legal_days:
            raise ValueError("承诺办结时限不能长于法定办结时限")
        if self.fee.strip() == FREE:
            if self.fee_amount_fen not in (None, 0):
                raise ValueError("收费说明为“不收费”时，收费金额应为 0（或不填）")
            self.fee_amount_fen = 0
        names = [m.name for m in self.materials]
        if len(set(names)) != len(names):
            raise ValueError("申请材料名称不能重复")
        return self


class MaterialRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    name: str
    source: str
    source_label: str = ""
    ref: str
    required: bool
    note: str


class ImplementationRead(BaseModel):
    """An implementation with the basic item's four elements (as the guide shows it)."""

    id: int
    code: str
    name: str
    item_type: str
    legal_basis: str
    levels: list[str]
    level: str
    department_id: int
    department_name: str
    region_code: str
    legal_days: int
    promised_days: int
    fee: str
    fee_amount_fen: int | None = None  # versions published before migration 0028 have none: see fee_standard
    conditions: list[str]
    materials: list[MaterialRead]
    steps: list[str]
    visits: int
    channels: list[str]
    service_objects: list[str]
    consult_phone: str
    complaint_phone: str
    place: str
    hours: str
    online: bool
    instant: bool
    result_name: str
    licence_type: str | None
    status: str
    status_label: str
    version: int = Field(description="所示内容的版本号（0 为从未发布的草稿）")
    change_note: str = ""
    return_reason: str = ""


class ImplementationSummary(BaseModel):
    id: int
    code: str
    name: str
    item_type: str
    department_name: str
    region_code: str
    level: str
    status: str
    status_label: str
    published_version: int
    visits: int
    online: bool
    updated_at: UtcDateTime


class VersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: int
    change_note: str
    published_at: UtcDateTime
    snapshot: dict[str, Any]


class ReturnIn(Strict):
    reason: str = Field(min_length=4, max_length=2000, description="退回原因：哪里需要修改")


class ApproveIn(Strict):
    note: str = Field(default="", max_length=2000, description="审核意见")


class RetireIn(Strict):
    reason: str = Field(min_length=4, max_length=2000, description="停用原因")


class ItemListEntry(BaseModel):
    """A basic item as the portal lists it, with its published implementations."""

    code: str
    name: str
    item_type: str
    high_frequency: bool
    implementations: list[ImplementationSummary]


class ItemPage(BaseModel):
    total: int
    page: int
    size: int
    items: list[ItemListEntry]


# ---------------------------------------------------------------- materials for an applicant


class MaterialAnswer(BaseModel):
    """Whether this applicant must provide a material, and why (in Chinese)."""

    name: str
    source: str
    source_label: str
    required: bool
    must_upload: bool | None = Field(description="是否需要申请人上传；未登录时按来源无法判断的为 null")
    reason: str
    note: str = ""


class MaterialsRead(BaseModel):
    implementation_id: int
    applicant: str = Field(description="按谁回答：本人（已登录）或“未登录”")
    materials: list[MaterialAnswer]


# ---------------------------------------------------------------- bundles and events


class ConditionIn(Strict):
    field: OneLine = Field(min_length=1, max_length=64)
    op: Literal["==", "!=", ">", ">=", "<", "<=", "in"]
    value: str | int | float | bool | list[str]
    label: OneLine = Field(min_length=2, max_length=255)


class BundleMemberIn(Strict):
    basic_code: str = Field(min_length=4, max_length=32)
    condition: ConditionIn | None = None


#: 联合审批 of a bundle: what one department's refusal does to the joint case (item_bundles.joint_policy).
JOINT_POLICIES: dict[str, str] = {"any_refusal": "一家不予，整件不予", "all_must_decide": "各部门分别决定"}
#: What the guide tells the applicant about a department's refusal, by policy.
JOINT_POLICY_TEXTS: dict[str, str] = {
    "any_refusal": "各部门并联审批，任一部门不予许可的，整件申请不予许可，其他部门不再审批，各事项均不签发证照；"
                   "不予许可决定书写明理由和救济途径。",
    "all_must_decide": "各部门并联审批，每个部门都对本部门的事项作出决定：获准的事项准予许可并签发电子证照，"
                       "不予许可的事项单独告知理由和救济途径，不影响其他事项。"}
JointPolicy = Literal["any_refusal", "all_must_decide"]


class BundleIn(Strict):
    code: str = Field(min_length=2, max_length=32, pattern=r"^[0-9A-Za-z\-_]+$")
    name: OneLine = Field(min_length=2, max_length=128)
    event: OneLine = Field(min_length=1, max_length=64)
    audience: Literal["person", "enterprise"]
    lead_department_id: RefId
    guide: str = Field(default="", max_length=20000)
    members: list[BundleMemberIn] = Field(min_length=2, max_length=50)
    joint_policy: JointPolicy = Field(
        default="any_refusal",
        description="联合审批中一个部门不予许可时：any_refusal 整件不予许可（其他部门的审批撤回）；"
                    "all_must_decide 每个部门都作出决定，获准的事项准予许可并签发证照，不予的事项不予许可")


class ConditionRead(BaseModel):
    field: str
    op: str
    value: Any
    label: str


class BundleMemberRead(BaseModel):
    code: str
    name: str
    department_name: str | None = Field(description="办理该事项的部门（本地区已发布的实施清单）")
    implementation_id: int | None
    condition: ConditionRead | None
    applies: Literal["yes", "no", "maybe"] = Field(description="按申请人的回答：需要办理 / 无需办理 / 可能需要")
    applies_label: str


class BundleMaterial(BaseModel):
    name: str
    source: str
    source_label: str
    ref: str = Field(default="", description="电子证照：证照类型名称；共享数据：共享资源及数据项（平台据此调取）")
    required: bool
    note: str
    for_items: list[str] = Field(description="需要该材料的成员事项名称")


class BundleSummary(BaseModel):
    code: str
    name: str
    event: str
    audience: str
    lead_department_name: str
    members: int


class BundleRead(BaseModel):
    code: str
    name: str
    event: str
    audience: str
    lead_department_name: str
    guide: str
    status: str
    joint_policy: str = Field(default="any_refusal", description="联合审批规则：any_refusal / all_must_decide")
    joint_policy_text: str = Field(default="", description="一个部门不予许可时整件申请如何处理（给申请人看的说明）")
    members: list[BundleMemberRead]
    materials: list[BundleMaterial]
    questions: list[str] = Field(description="决定成员事项是否适用的问题（条件字段）")


class EventRead(BaseModel):
    kind: str
    name: str
    items: list[ItemListEntry]
    bundles: list[BundleSummary]


# ---------------------------------------------------------------- reports


class Difference(BaseModel):
    element: str
    reference: str
    value: str


class Deviation(BaseModel):
    implementation_id: int
    code: str
    name: str
    department_name: str
    reference_implementation_id: int
    reference_department_name: str
    differences: list[Difference]


class RegionDeviations(BaseModel):
    region_code: str
    region_name: str
    deviations: list[Deviation]


class ItemOnceOnly(BaseModel):
    implementation_id: int
    code: str
    name: str
    department_name: str
    materials: int = Field(description="计入的申请材料数（必需的，及被免提交的）")
    no_upload: int = Field(description="其中申请人无需上传的")
    rate: float | None = Field(description="无需上传的比例；没有材料时为 null")
    visits: int


class OnceOnlyRead(BaseModel):
    implementations: int
    materials: int
    no_upload: int
    rate: float | None = Field(description="全市：无需申请人上传的材料占比")
    zero_visit: int
    zero_visit_rate: float | None = Field(description="全市：到办事现场 0 次（零跑动）的事项占比")
    items: list[ItemOnceOnly]


# ---------------------------------------------------------------- bundle and event administration


class BundleAdminSummary(BaseModel):
    """A bundle as the platform manages it: any state, with its number of published versions."""

    code: str
    name: str
    event: str
    audience: str
    lead_department_name: str
    members: int
    status: str = Field(description="draft 草稿 / published 已发布 / retired 已停用")
    status_label: str
    versions: int = Field(description="已发布的版本数")
    joint_policy: str = Field(default="any_refusal", description="联合审批中一个部门不予许可时：any_refusal 整件不予 / "
                                                               "all_must_decide 各部门分别决定")


class BundleVersionRead(BaseModel):
    version: int
    note: str
    published_at: UtcDateTime
    snapshot: dict[str, Any] = Field(description="该版本的全部内容：名称、事件、牵头部门、指南、成员事项及条件")


class EventSetIn(Strict):
    codes: list[str] = Field(default_factory=list, max_length=500, description="该事件的事项编码，按顺序")
    position: int = Field(default=0, ge=0, le=9999, description="排序（小的在前）")


class EventRenameIn(Strict):
    new_name: OneLine = Field(min_length=1, max_length=64, description="新的事件名称")


class EventOrderIn(Strict):
    names: list[str] = Field(min_length=1, max_length=200, description="该类全部事件的名称，按新的顺序")
