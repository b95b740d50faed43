"""`tongban admin create`. Discovered by tongban.cli; heavy imports stay inside the command."""

from __future__ import annotations

import typer

from tongban.cli_support import department_id, open_session

app = typer.Typer()  # merged into the root `tongban` command
admin_app = typer.Typer(help="平台管理员", no_args_is_help=True)
app.add_typer(admin_app, name="admin")


@admin_app.command("create")
def admin_create(
    username: str = typer.Option(..., help="登录名"),
    name: str = typer.Option(..., help="姓名"),
    department_code: str = typer.Option(..., help="所属部门编码（平台运营部门）"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """创建平台管理员（生产环境初始化时使用）。"""
    from pydantic import ValidationError

    from tongban.authz import SYSTEM, Role
    from tongban.errors import DomainError, translate_validation_errors
    from tongban.org import service
    from tongban.org.schemas import StaffCreate

    session = open_session()
    try:
        user_in = StaffCreate(username=username, display_name=name, password=password,
                              department_id=department_id(session, department_code), roles=[Role.PLATFORM_ADMIN])
        service.create_staff(session=session, actor=SYSTEM, user_in=user_in)
    except ValidationError as exc:
        typer.echo(translate_validation_errors(exc.errors())[0], err=True)
        raise typer.Exit(1) from None
    except DomainError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    finally:
        session.close()
    typer.echo(f"已创建平台管理员 {username}。")
