"""Push commands: `flask --app bot push-progress ID`, push-resume, push-due, settle-mass, sync-tags."""
import time

import click

from models import db


@click.command("push-progress")
@click.argument("push_id", type=int)
@click.option("--interval", default=1.0, show_default=True, help="seconds between looks")
@click.option("--timeout", default=0.0, help="give up after this many seconds (0: never)")
def push_progress(push_id: int, interval: float, timeout: float) -> None:
    """Follow a push with a progress bar until it is done or cancelled."""
    from handlers.campaigns.push.deliver import progress

    state = progress(push_id)
    if state["status"] == "missing":
        raise click.UsageError(f"no push {push_id}")
    started = time.monotonic()
    with click.progressbar(length=max(state["targeted"], 1), label=f"push {push_id}",
                           show_pos=True, show_percent=True) as bar:
        shown = 0
        while True:
            db.session.expire_all()
            state = progress(push_id)
            bar.length = max(state["targeted"], 1)
            bar.update(state["done"] - shown)
            shown = state["done"]
            if state["status"] in ("done", "cancelled") or (timeout and time.monotonic() - started > timeout):
                break
            time.sleep(interval)
            db.session.rollback()  # a fresh snapshot next time
    counts = ", ".join(f"{k} {v}" for k, v in sorted(state["counts"].items()))
    click.echo(f"push {push_id}: {state['status']} — {counts or 'no recipients'}")


@click.command("push-resume")
@click.argument("push_id", type=int)
def push_resume(push_id: int) -> None:
    """Enqueue again the batches of a push that still have pending recipients (after a crash)."""
    from handlers.campaigns.push.deliver import resume

    click.echo(f"{resume(push_id)} batch jobs enqueued for push {push_id}")


@click.command("push-due")
def push_due() -> None:
    """Start scheduled pushes whose time has come (the embedded default has no scheduler)."""
    from handlers.campaigns.push.deliver import start_due

    click.echo(f"started: {start_due() or 'none'}")


@click.command("settle-mass")
def settle_mass() -> None:
    """Ask WeChat (mass/get) about mass sends whose receipt never came, and settle them."""
    from handlers.campaigns.push import receipts

    for batch_id in receipts.unsettled():
        click.echo(f"batch {batch_id}: {receipts.settle_mass(batch_id)}")


@click.command("sync-tags")
@click.argument("districts", nargs=-1)
def sync_tags(districts: tuple[str, ...]) -> None:
    """Bring the WeChat tag of each district (all districts by default) in line with residents' areas."""
    from handlers.campaigns.push import tags
    from models import Region

    codes = list(districts) or list(db.session.execute(
        db.select(Region.code).where(Region.level == 2, Region.active.is_(True))).scalars())
    for code, n in tags.sync(codes).items():
        click.echo(f"{code}: {n} openids (un)tagged")


COMMANDS = (push_progress, push_resume, push_due, settle_mass, sync_tags)
