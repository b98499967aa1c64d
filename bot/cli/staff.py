"""`flask --app bot create-admin`: the first city admin, who then creates everyone else in the console."""
import click

from handlers.staff import accounts as staff_accounts
from handlers.staff import audit
from handlers.staff.accounts import StaffError
from models import db

CITY_CODE = "2201"  # 长春市, the root of the region tree


@click.command("create-admin")
@click.option("--username", prompt="用户名", help="login name")
@click.option("--name", "display_name", default="", help="display name")
@click.option("--region", "region_code", default=CITY_CODE, show_default=True, help="the city's code")
@click.password_option("--password", envvar="ADMIN_PASSWORD", prompt="密码",
                       help="or ADMIN_PASSWORD; prompted without echo when absent")
def create_admin(username: str, display_name: str, region_code: str, password: str) -> None:
    """Create a city admin account for the staff console."""
    try:
        admin = staff_accounts.create_staff(None, username, display_name, password, "city_admin", region_code)
    except StaffError as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal))
    audit.record(None, "staff_create", region_code, target=admin.username,
                 detail={"role": "city_admin", "by": "cli"}, username="cli")
    db.session.commit()
    click.echo(f"created city admin {admin.username} for region {region_code}")


COMMANDS = (create_admin,)
