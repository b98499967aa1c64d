"""`flask --app bot demo`: demo data for a local run (`make run` does it); safe to re-run."""
import click

from models import db


@click.command("demo")
def demo() -> None:
    """Demo data for a local run: communities under a few streets, and drop-off points."""
    from content.place_texts import demo_points
    from handlers.people.regions import add_demo_communities
    from handlers.places.points import PlaceError, add_missing

    communities = add_demo_communities()
    rows = [{**point, "region_code": point["region"]} for point in demo_points()]
    try:
        places = add_missing(rows, kept_by="demo")
    except PlaceError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} (run `flask --app bot import-regions` first)")
    db.session.commit()
    click.echo(f"{communities} demo communities added")
    click.echo(f"demo drop-off points: {places} added, {len(rows) - places} already there")


COMMANDS = (demo,)
