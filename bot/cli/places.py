"""Commands for drop-off points: `flask --app bot <command>`."""
import click

from models import db


@click.command("demo-places")
def demo_places() -> None:
    """Add the demo drop-off points of 南关区 and 朝阳区 (content/demo_places.toml); safe to re-run."""
    from content.place_texts import demo_points
    from handlers.places.points import PlaceError, add_missing

    rows = [{**point, "region_code": point["region"]} for point in demo_points()]
    try:
        added = add_missing(rows, kept_by="demo")
    except PlaceError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} (run `flask --app bot import-regions` first)")
    db.session.commit()
    click.echo(f"demo drop-off points: {added} added, {len(rows) - added} already there")


COMMANDS = (demo_places,)
