"""The core commands: migrate, the terminal chat, sorting and teaching, the worker."""
import json
from pathlib import Path

import click
from flask import current_app

MIGRATIONS = Path(__file__).resolve().parents[2] / "models" / "migrations"


def alembic_config():
    # Imported here: the web and worker processes never migrate, and alembic with mako and
    # pygments would cost each of them about 12 MB and 0.15 s at every start.
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = current_app.config["SQLALCHEMY_DATABASE_URI"]
    return config


@click.command()
@click.option("--revision", default="head", show_default=True)
def migrate(revision: str) -> None:
    """Bring the database schema up to date (run on every deploy)."""
    from alembic import command as alembic_command

    alembic_command.upgrade(alembic_config(), revision)
    click.echo(f"database at {revision}")
    build_knowledge.callback()


@click.command("build-knowledge")
def build_knowledge() -> None:
    """Build the sorting engine and the intent classifier ahead into files that each process loads
    in a fraction of a second (`migrate` runs it; a process that finds them missing builds them)."""
    from handlers.understanding import get_understanding
    from infra import artefacts

    get_understanding()
    click.echo(f"knowledge built in {artefacts.directory()}")


@click.command()
@click.option("--openid", default="o-terminal-user", show_default=True, help="who you are")
@click.option("--mode", type=click.Choice(["plain", "compatible", "safe"]), default="plain")
def chat(openid: str, mode: str) -> None:
    """Chat with the Official Account in the terminal, through the real webhook."""
    from bot.cli.chat import TerminalChat

    TerminalChat(current_app._get_current_object(), openid, mode).run()


@click.command()
@click.argument("text", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="print the API's JSON instead")
def sort(text: tuple[str, ...], as_json: bool) -> None:
    """Answer one sorting question, e.g. `flask --app bot sort 电池和剩饭分别扔哪`."""
    from bot.api.sorting import answer_json
    from handlers.sorting import format_reply
    from handlers.sorting.answering import ask
    from models import db

    result = ask(" ".join(text))
    db.session.commit()
    if as_json:
        click.echo(json.dumps([answer_json(a) for a in result.answers], ensure_ascii=False, indent=1))
    else:
        click.echo(format_reply(result))


@click.command()
@click.argument("query")
@click.argument("item")
@click.argument("category", type=click.Choice(
    ["recyclable", "hazardous", "kitchen", "residual", "special"]))
@click.option("--by", "taught_by", default="cli", show_default=True, help="staff member")
def teach(query: str, item: str, category: str, taught_by: str) -> None:
    """Teach the bot: QUERY is answered as ITEM in CATEGORY, for everyone, at once."""
    from handlers.sorting import get_engine
    from handlers.sorting.teaching import teach as teach_query

    taught = teach_query(get_engine(), query, item, category, taught_by)
    click.echo(f"taught: {taught.query} → {taught.item} ({taught.category})")


@click.command()
@click.argument("query")
def untaught(query: str) -> None:
    """Undo what was taught for QUERY."""
    from handlers.sorting import get_engine
    from handlers.sorting.teaching import untaught as undo

    click.echo("removed" if undo(get_engine(), query) else "nothing was taught for that query")


@click.command()
@click.option("--limit", default=20, show_default=True)
def unrecognised(limit: int) -> None:
    """The queries the bot could not answer with confidence, most frequent first."""
    from models import UnrecognisedQuery, db

    rows = db.session.execute(
        db.select(UnrecognisedQuery).order_by(UnrecognisedQuery.count.desc()).limit(limit)
    ).scalars()
    for row in rows:
        click.echo(f"{row.count:6d}  {row.sample}")


@click.command()
@click.option("--queue", "queues", multiple=True, default=["push", "default"], show_default=True)
@click.option("--burst", is_flag=True, help="stop when the queues are empty")
def worker(queues: tuple[str, ...], burst: bool) -> None:
    """Run background jobs (push delivery, notices) from Redis."""
    from infra.jobs import run_worker

    if not current_app.config["REDIS_URL"]:
        raise click.UsageError("a worker needs REDIS_URL; without it jobs run inline")
    run_worker(current_app._get_current_object(), list(queues), burst)


@click.command("drain-ledger")
@click.option("--burst", is_flag=True, help="stop once the stream is empty")
def drain_ledger(burst: bool) -> None:
    """Write the message log the webhook left in Redis (LEDGER_DRAIN=separate) to the database."""
    import signal

    from handlers.people import ledger

    if not current_app.config["REDIS_URL"]:
        raise click.UsageError("the ledger lives in Redis: set REDIS_URL")
    stopping = []
    # SIGTERM (a deploy) ends the loop after the batch in hand, which is then acknowledged.
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    ledger.drain_until(lambda written: bool(stopping) or (burst and not written))


@click.command("old-jobs")
def old_jobs() -> None:
    """Count jobs still waiting under a function path that has moved (0: none left)."""
    from infra.jobs import waiting_on_old_paths

    found = waiting_on_old_paths()
    for path, count in sorted(found.items()):
        click.echo(f"{count}\t{path}")
    click.echo(f"{sum(found.values())} jobs on old paths")



@click.command("publish-menu")
@click.option("--dry-run", is_flag=True, help="check and print the menu, publish nothing")
def publish_menu(dry_run: bool) -> None:
    """Publish the Official Account's custom menu from content/menu.toml."""
    import json

    from handlers import menu

    try:
        data = menu.build() if dry_run else menu.publish()
    except menu.MenuError as error:
        raise click.ClickException(str(error))
    except menu.MenuRefused as error:
        raise click.ClickException(f"WeChat refused the menu: errcode {error.code}")
    click.echo(json.dumps(data, ensure_ascii=False, indent=1))
    click.echo("checked, not published" if dry_run else "published: clients show it within about 5 minutes")



COMMANDS = (migrate, build_knowledge, chat, sort, teach, untaught, unrecognised, worker, drain_ledger,
            old_jobs, publish_menu)
