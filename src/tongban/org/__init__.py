"""组织与身份: regions, departments, staff, citizen and enterprise accounts, application clients."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.registry import Platform


def register(platform: Platform) -> None:
    """Routers, menu entries and home-page items of this domain (tongban/registry.py; orders are global)."""
    from tongban.authz import Permission as P

    platform.add_openapi_tag("组织与身份", "行政区划、部门、工作人员、群众与企业账号、应用系统与 API 密钥", order=10)
    platform.add_router("tongban.org.api:router", order=10)
    platform.add_router("tongban.org.pages:public", order=100)
    platform.add_router("tongban.org.pages:router", order=110)
    platform.add_router("tongban.org.pages:assumed", order=111)
    platform.add_nav("首页", "/home", order=10)
    platform.add_nav("人员", "/admin/users", order=70, any_of=(P.USER_READ,))
    platform.add_nav("部门", "/admin/departments", order=71, any_of=(P.DEPARTMENT_READ,))
    platform.add_nav("群众与企业", "/admin/accounts", order=72, any_of=(P.ACCOUNT_READ,))
    platform.add_nav("应用系统", "/admin/clients", order=73, any_of=(P.CLIENT_READ,))
    platform.add_nav("登录", "/login", order=1000, audience="anonymous")
    platform.add_home_cards("tongban.org.home:org_cards", order=10)
    platform.add_shortcut("人员与角色", "/admin/users", "新建工作人员、分配角色、解除锁定、重置密码",
                          order=50, any_of=(P.USER_MANAGE,))
    platform.add_shortcut("本部门人员", "/admin/users", "查看本部门同事及其岗位角色", order=51,
                          any_of=(P.USER_READ,), when=lambda a: not a.has(P.USER_MANAGE))
    platform.add_shortcut("部门管理", "/admin/departments", "登记部门、统一社会信用代码与行政区划",
                          order=52, any_of=(P.DEPARTMENT_MANAGE,))
    platform.add_shortcut("部门目录", "/admin/departments", "全市政务部门及其统一社会信用代码", order=53,
                          any_of=(P.DEPARTMENT_READ,), when=lambda a: not a.has(P.DEPARTMENT_MANAGE))
    platform.add_shortcut("应用系统与密钥", "/admin/clients", "登记业务系统，签发、吊销 API 密钥",
                          order=54, any_of=(P.CLIENT_READ,))
    platform.add_shortcut("修改密码", "/account/password", "定期更换登录密码", order=90)
