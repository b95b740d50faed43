"""JSON API of the org domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from tongban.authz import Permission
from tongban.deps import CurrentActor, DbSession, Id, OptionalIdQuery, secure_router
from tongban.errors import error_responses
from tongban.org import service
from tongban.org.auth import key_state
from tongban.org.models import ApiKey, AppClient
from tongban.org.schemas import (
    AccountRead,
    ApiKeyCreate,
    ApiKeyIssued,
    ApiKeyRead,
    CitizenCreate,
    ClientCreate,
    ClientRead,
    ClientUpdate,
    DepartmentCreate,
    DepartmentRead,
    DepartmentUpdate,
    EnterpriseCreate,
    Page,
    PasswordChange,
    PasswordReset,
    RegionCreate,
    RegionRead,
    StaffCreate,
    StaffUpdate,
    UserRead,
    WhoAmI,
)

router = secure_router(prefix="/api/v1", tags=["组织与身份"])

PageNo = Annotated[int, Query(ge=1, le=100000)]
PageSize = Annotated[int, Query(ge=1, le=500)]


@router.get("/me", response_model=WhoAmI, tags=["系统"], summary="当前身份（登录用户或应用系统）")
def whoami(actor: CurrentActor) -> WhoAmI:
    return WhoAmI(kind=actor.kind, id=actor.id, name=actor.name, username=actor.username,
                  department_id=actor.department_id, roles=sorted(actor.roles), client_id=actor.client_id,
                  permissions=sorted(str(p) for p in actor.permissions()))


@router.post("/me/password", status_code=204, summary="修改本人密码", responses=error_responses(409))
def change_password(body: PasswordChange, session: DbSession, actor: CurrentActor) -> Response:
    service.change_own_password(session=session, actor=actor, change_in=body)
    return Response(status_code=204)


# ---------------------------------------------------------------- regions


@router.get("/regions", response_model=list[RegionRead], summary="行政区划列表")
def list_regions(session: DbSession, actor: CurrentActor) -> list[RegionRead]:
    from tongban.org import repository

    actor.require(Permission.DEPARTMENT_READ)
    return [RegionRead.model_validate(r) for r in repository.list_regions(session)]


@router.post("/regions", response_model=RegionRead, status_code=201, summary="新建行政区划",
             responses=error_responses(409))
def create_region(body: RegionCreate, session: DbSession, actor: CurrentActor) -> RegionRead:
    return RegionRead.model_validate(service.create_region(session=session, actor=actor, region_in=body))


# ---------------------------------------------------------------- departments


@router.get("/departments", response_model=Page[DepartmentRead], summary="部门目录")
def list_departments(session: DbSession, actor: CurrentActor, q: str | None = None,
                     region_code: str | None = None, page: PageNo = 1, size: PageSize = 100
                     ) -> Page[DepartmentRead]:
    rows, total = service.list_departments(session=session, actor=actor, q=q, region_code=region_code,
                                           page=page, size=size)
    return Page(items=[DepartmentRead.model_validate(d) for d in rows], total=total, page=page, size=size)


@router.post("/departments", response_model=DepartmentRead, status_code=201, summary="新建部门",
             responses=error_responses(409))
def create_department(body: DepartmentCreate, session: DbSession, actor: CurrentActor) -> DepartmentRead:
    dept = service.create_department(session=session, actor=actor, department_in=body)
    return DepartmentRead.model_validate(dept)


@router.get("/departments/{department_id}", response_model=DepartmentRead, summary="部门详情",
            responses=error_responses(404))
def get_department(department_id: Id, session: DbSession, actor: CurrentActor) -> DepartmentRead:
    return DepartmentRead.model_validate(
        service.get_department(session=session, actor=actor, department_id=department_id))


@router.patch("/departments/{department_id}", response_model=DepartmentRead, summary="修改部门",
              responses=error_responses(404, 409))
def update_department(department_id: Id, body: DepartmentUpdate, session: DbSession,
                      actor: CurrentActor) -> DepartmentRead:
    dept = service.update_department(session=session, actor=actor, department_id=department_id,
                                     department_in=body)
    return DepartmentRead.model_validate(dept)


# ---------------------------------------------------------------- staff


@router.get("/users", response_model=Page[UserRead], summary="工作人员列表（按部门范围）")
def list_users(session: DbSession, actor: CurrentActor, q: str | None = None, department_id: OptionalIdQuery = None,
               page: PageNo = 1, size: PageSize = 50) -> Page[UserRead]:
    rows, total = service.list_staff(session=session, actor=actor, q=q, department_id=department_id,
                                     page=page, size=size)
    return Page(items=[UserRead.model_validate(u) for u in rows], total=total, page=page, size=size)


@router.post("/users", response_model=UserRead, status_code=201, summary="新建工作人员", responses=error_responses(409))
def create_user(body: StaffCreate, session: DbSession, actor: CurrentActor) -> UserRead:
    return UserRead.model_validate(service.create_staff(session=session, actor=actor, user_in=body))


@router.get("/users/{user_id}", response_model=UserRead, summary="工作人员详情", responses=error_responses(404))
def get_user(user_id: Id, session: DbSession, actor: CurrentActor) -> UserRead:
    return UserRead.model_validate(service.get_user(session=session, actor=actor, user_id=user_id))


@router.patch("/users/{user_id}", response_model=UserRead, summary="修改工作人员（角色、部门、状态）",
              responses=error_responses(404, 409))
def update_user(user_id: Id, body: StaffUpdate, session: DbSession, actor: CurrentActor) -> UserRead:
    return UserRead.model_validate(service.update_staff(session=session, actor=actor, user_id=user_id,
                                                        user_in=body))


@router.post("/users/{user_id}/unlock", response_model=UserRead, summary="解除登录锁定",
             responses=error_responses(404, 409))
def unlock_user(user_id: Id, session: DbSession, actor: CurrentActor) -> UserRead:
    return UserRead.model_validate(service.unlock_user(session=session, actor=actor, user_id=user_id))


@router.post("/users/{user_id}/password", response_model=UserRead, summary="重置密码",
             responses=error_responses(404, 409))
def reset_password(user_id: Id, body: PasswordReset, session: DbSession, actor: CurrentActor) -> UserRead:
    return UserRead.model_validate(service.reset_password(session=session, actor=actor, user_id=user_id,
                                                          new_password=body.new_password))


# ---------------------------------------------------------------- citizen and enterprise accounts


@router.get("/accounts", response_model=Page[AccountRead],
            summary="群众与企业账号（个人信息：须说明用途，查阅留痕）")
def list_accounts(session: DbSession, actor: CurrentActor,
                  purpose: Annotated[str, Query(min_length=2, max_length=255)],
                  kind: Annotated[str, Query(pattern="^(citizen|enterprise)$")] = "citizen",
                  q: str | None = None, page: PageNo = 1, size: PageSize = 50) -> Page[AccountRead]:
    rows, total = service.list_accounts(session=session, actor=actor, kind=kind, purpose=purpose, q=q,
                                        page=page, size=size)
    return Page(items=[AccountRead.masked(u) for u in rows], total=total, page=page, size=size)


@router.post("/accounts/citizens", response_model=AccountRead, status_code=201, summary="新建自然人账号",
             responses=error_responses(409))
def create_citizen(body: CitizenCreate, session: DbSession, actor: CurrentActor) -> AccountRead:
    return AccountRead.masked(service.create_citizen(session=session, actor=actor, citizen_in=body))


@router.post("/accounts/enterprises", response_model=AccountRead, status_code=201, summary="新建法人账号",
             responses=error_responses(409))
def create_enterprise(body: EnterpriseCreate, session: DbSession, actor: CurrentActor) -> AccountRead:
    return AccountRead.masked(service.create_enterprise(session=session, actor=actor, enterprise_in=body))


# ---------------------------------------------------------------- application clients and keys


def _key_read(key: ApiKey) -> ApiKeyRead:
    out = ApiKeyRead.model_validate(key)
    out.state = key_state(key)
    return out


def client_read(client: AppClient) -> ClientRead:
    out = ClientRead.model_validate(client, from_attributes=True)
    out.keys = [_key_read(k) for k in client.keys]
    return out


@router.get("/clients", response_model=list[ClientRead], summary="应用系统列表（按部门范围）")
def list_clients(session: DbSession, actor: CurrentActor, department_id: OptionalIdQuery = None) -> list[ClientRead]:
    return [client_read(c) for c in service.list_clients(session=session, actor=actor,
                                                          department_id=department_id)]


@router.post("/clients", response_model=ClientRead, status_code=201, summary="登记应用系统",
             responses=error_responses(409))
def create_client(body: ClientCreate, session: DbSession, actor: CurrentActor) -> ClientRead:
    return client_read(service.create_client(session=session, actor=actor, client_in=body))


@router.get("/clients/{client_id}", response_model=ClientRead, summary="应用系统详情", responses=error_responses(404))
def get_client(client_id: Id, session: DbSession, actor: CurrentActor) -> ClientRead:
    return client_read(service.get_client(session=session, actor=actor, client_id=client_id))


@router.patch("/clients/{client_id}", response_model=ClientRead, summary="修改或停用应用系统",
              responses=error_responses(404, 409))
def update_client(client_id: Id, body: ClientUpdate, session: DbSession, actor: CurrentActor) -> ClientRead:
    return client_read(service.update_client(session=session, actor=actor, client_id=client_id, client_in=body))


@router.post("/clients/{client_id}/keys", response_model=ApiKeyIssued, status_code=201,
             summary="签发 API 密钥（密钥明文只返回这一次）", responses=error_responses(404, 409))
def issue_key(client_id: Id, body: ApiKeyCreate, session: DbSession, actor: CurrentActor) -> ApiKeyIssued:
    key, secret = service.issue_api_key(session=session, actor=actor, client_id=client_id, key_in=body)
    return ApiKeyIssued(**_key_read(key).model_dump(), secret=secret)


@router.delete("/clients/{client_id}/keys/{key_id}", response_model=ApiKeyRead, summary="吊销 API 密钥",
               responses=error_responses(404, 409))
def revoke_key(client_id: Id, key_id: Id, session: DbSession, actor: CurrentActor) -> ApiKeyRead:
    return _key_read(service.revoke_api_key(session=session, actor=actor, client_id=client_id, key_id=key_id))
