"""Pydantic schemas of the org domain: XCreate / XUpdate / XRead / XPage."""

from __future__ import annotations

from typing import Annotated, ClassVar, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from tongban.authz import Role
from tongban.identifiers import (
    mask_phone,
    mask_resident_id,
    validate_phone,
    validate_region_code,
    validate_resident_id,
    validate_uscc,
)
from tongban.schema_types import OneLine, RefId, Strict, UtcDateTime

ResidentId = Annotated[str, AfterValidator(validate_resident_id)]
CreditCode = Annotated[str, AfterValidator(validate_uscc)]
RegionCode = Annotated[str, AfterValidator(validate_region_code)]
Phone = Annotated[str, AfterValidator(validate_phone)]

T = TypeVar("T")


def _password_rule(value: str) -> str:
    if len(value) < 10:
        raise ValueError("密码至少 10 位。")
    if not any(c.isalpha() for c in value) or not any(c.isdigit() for c in value):
        raise ValueError("密码须同时包含字母和数字。")
    return value


Password = Annotated[str, Field(max_length=128), AfterValidator(_password_rule)]
Username = Annotated[str, Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int


class Patch(Strict):
    """Base of PATCH bodies: an omitted field is left as it is; an explicit null is refused with a 422.

    Only the fields named in `nullable` accept null, and there it clears the value (the column may be empty):
    a department's parent, a person's phone and e-mail. Before this, a null reached a NOT NULL column (a 500).
    The OpenAPI schema says the same: only the `nullable` fields admit null.
    """

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_nullable(cls, value: object, info: ValidationInfo) -> object:
        if value is None and info.field_name not in cls.nullable:
            raise PydanticCustomError("null_not_allowed", "null is not allowed here")
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler.resolve_ref_schema(handler(core_schema))
        for name, prop in schema.get("properties", {}).items():
            alternatives = prop.get("anyOf")
            if name in cls.nullable or not alternatives:
                continue
            rest = [a for a in alternatives if a != {"type": "null"}]
            del prop["anyOf"]
            if len(rest) == 1:
                prop.update(rest[0])
            else:
                prop["anyOf"] = rest
            prop.pop("default", None)  # "omit to keep" is said by the field being optional
        return schema


class RegionCreate(Strict):
    code: RegionCode
    name: OneLine = Field(min_length=2, max_length=64)
    level: str = Field(pattern=r"^(province|city|county|township)$")
    parent_code: RegionCode | None = None


class RegionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    level: str
    parent_code: str | None


class DepartmentCreate(Strict):
    code: str = Field(min_length=2, max_length=32, pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    name: OneLine = Field(min_length=2, max_length=128)
    short_name: OneLine = Field(min_length=2, max_length=64)
    uscc: CreditCode
    region_code: RegionCode
    parent_id: RefId | None = None
    kind: str = Field(default="government", pattern=r"^(government|institution)$")


class DepartmentUpdate(Patch):
    nullable: ClassVar[frozenset[str]] = frozenset({"parent_id"})
    name: OneLine | None = Field(default=None, min_length=2, max_length=128)
    short_name: OneLine | None = Field(default=None, min_length=2, max_length=64)
    uscc: CreditCode | None = None
    region_code: RegionCode | None = None
    parent_id: RefId | None = Field(default=None, description="上级部门；null 表示设为无上级")
    status: str | None = Field(default=None, pattern=r"^(active|inactive)$")


class DepartmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    short_name: str
    uscc: str
    region_code: str
    parent_id: int | None
    kind: str
    is_platform_operator: bool
    status: str


class StaffCreate(Strict):
    username: Username
    display_name: OneLine = Field(min_length=2, max_length=64)
    password: Password
    department_id: RefId
    roles: list[Role] = Field(min_length=1)
    phone: Phone | None = None
    email: str | None = Field(default=None, max_length=128, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

    @field_validator("roles")
    @classmethod
    def _unique_roles(cls, v: list[Role]) -> list[Role]:
        return sorted(set(v))


class StaffUpdate(Patch):
    nullable: ClassVar[frozenset[str]] = frozenset({"phone", "email"})
    display_name: OneLine | None = Field(default=None, min_length=2, max_length=64)
    department_id: RefId | None = None
    roles: list[Role] | None = None
    phone: Phone | None = Field(default=None, description="null 表示清除")
    email: str | None = Field(default=None, max_length=128, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                              description="null 表示清除")
    status: str | None = Field(default=None, pattern=r"^(active|disabled)$")


class PasswordReset(Strict):
    new_password: Password


class PasswordChange(Strict):
    password: str = Field(max_length=128)
    new_password: Password


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    display_name: str
    kind: str
    department_id: int | None
    roles: list[str]
    phone: str | None
    email: str | None
    status: str
    locked_until: UtcDateTime | None
    last_login_at: UtcDateTime | None
    created_at: UtcDateTime

    @field_validator("phone")
    @classmethod
    def _mask_phone(cls, v: str | None) -> str | None:
        return mask_phone(v) if v else v


class CitizenCreate(Strict):
    display_name: OneLine = Field(min_length=2, max_length=64)
    id_number: ResidentId
    password: Password
    phone: Phone | None = None


class EnterpriseCreate(Strict):
    display_name: OneLine = Field(min_length=2, max_length=128)
    credit_code: CreditCode
    legal_representative: OneLine = Field(min_length=2, max_length=64)
    password: Password
    phone: Phone | None = None


class AccountRead(BaseModel):
    """A citizen or enterprise account; identifiers are masked unless asked in plain with a purpose."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    display_name: str
    kind: str
    id_number: str | None
    credit_code: str | None
    legal_representative: str | None
    phone: str | None
    status: str
    created_at: UtcDateTime

    @classmethod
    def masked(cls, user: object) -> AccountRead:
        out = cls.model_validate(user)
        if out.id_number:
            if out.username == out.id_number:
                out.username = mask_resident_id(out.username)
            out.id_number = mask_resident_id(out.id_number)
        if out.phone:
            out.phone = mask_phone(out.phone)
        return out


class ClientCreate(Strict):
    code: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    name: OneLine = Field(min_length=2, max_length=128)
    description: str = Field(default="", max_length=2000)
    department_id: RefId | None = None  # platform admins name it; department admins get their own


class ClientUpdate(Patch):
    name: OneLine | None = Field(default=None, min_length=2, max_length=128)
    description: str | None = Field(default=None, max_length=2000)
    status: str | None = Field(default=None, pattern=r"^(active|disabled)$")


class ApiKeyCreate(Strict):
    label: OneLine = Field(default="", max_length=128)
    expires_in_days: int | None = Field(default=365, ge=1, le=3650)


class ApiKeyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    key_prefix: str
    label: str
    created_at: UtcDateTime
    expires_at: UtcDateTime | None
    revoked_at: UtcDateTime | None
    last_used_at: UtcDateTime | None
    state: str = ""


class ApiKeyIssued(ApiKeyRead):
    """Returned once, at creation: the only time the secret is shown."""

    secret: str


class ClientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    description: str
    department_id: int
    status: str
    created_at: UtcDateTime
    keys: list[ApiKeyRead] = []


class WhoAmI(BaseModel):
    kind: str
    id: int | None
    name: str
    username: str
    department_id: int | None
    roles: list[str]
    client_id: int | None
    permissions: list[str]
