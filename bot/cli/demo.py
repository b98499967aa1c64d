"""`flask --app bot demo`: demo data for a local run (`make run` does it); safe to re-run."""
import click

from models import db


@click.command("demo")
def demo() -> None:
    """Demo data for a local run: communities under a few streets, drop-off points, and service
    information of two districts."""
    from content.place_texts import demo_points
    from content.service_texts import demo_services
    from handlers.errors import Refused
    from handlers.people.regions import add_demo_communities
    from handlers.places import services
    from handlers.places.points import add_missing

    communities = add_demo_communities()
    rows = [{**point, "region_code": point["region"]} for point in demo_points()]
    entries = demo_services()
    try:
        places = add_missing(rows, kept_by="demo")
        added = services.add_missing(entries, kept_by="demo")
    except Refused as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} (run `flask --app bot import-regions` first)")
    db.session.commit()
    click.echo(f"{communities} demo communities added")
    click.echo(f"demo drop-off points: {places} added, {len(rows) - places} already there")
    click.echo(f"demo service information: {added} added, {len(entries) - added} already there")


COMMANDS = (demo,)
