"""Commands for the region tree, volunteers and their service: `flask --app bot <command>`."""
from pathlib import Path

import click

from models import db


@click.command("import-regions")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="a region CSV (default: content/regions/changchun.csv)")
def import_regions(path: Path | None) -> None:
    """Add or update the official region tree; safe to run again when the official list changes."""
    from content.regions import OFFICIAL_FILE, BadRegionFile
    from handlers.people.regions import import_official

    try:
        report = import_official(path or OFFICIAL_FILE)
    except BadRegionFile as error:
        db.session.rollback()
        raise click.ClickException(str(error))
    db.session.commit()
    click.echo(f"regions: {report.added} added, {report.updated} updated, "
               f"{report.retired} retired, {report.unchanged} unchanged")


@click.command("add-community")
@click.argument("street_code")
@click.argument("name")
def add_community(street_code: str, name: str) -> None:
    """Add a community (社区) under a street or town."""
    from handlers.people.regions import RegionError
    from handlers.people.regions import add_community as add

    try:
        community = add(street_code, name)
    except RegionError as error:
        db.session.rollback()
        raise click.ClickException(str(error))
    db.session.commit()
    click.echo(f"added {community.code} {community.name}")


@click.command("review-volunteer")
@click.argument("volunteer_id", type=int)
@click.option("--reject", is_flag=True, help="reject instead of approve")
@click.option("--reason", default="", help="why it is rejected (the volunteer is told)")
@click.option("--by", "reviewer", required=True, help="staff username")
def review_volunteer(volunteer_id: int, reject: bool, reason: str, reviewer: str) -> None:
    """Approve (or --reject) a pending volunteer."""
    from handlers.staff import audit
    from handlers.volunteers import records as volunteers

    try:
        volunteer = volunteers.review(volunteer_id, not reject, reviewer, reason)
    except LookupError as error:
        raise click.ClickException(str(error))
    audit.record(None, "reject" if reject else "approve", volunteer.region_code,
                 target=f"volunteer {volunteer.id}",
                 detail={"by": "cli", **({"reason": volunteer.review_reason} if reject else {})}, username=reviewer)
    db.session.commit()
    click.echo(f"volunteer {volunteer.id}: {volunteer.status}")


@click.command("record-service")
@click.argument("volunteer_id", type=int)
@click.option("--activity", required=True, help="the service content")
@click.option("--date", "served_on", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--hours", type=float, required=True)
@click.option("--organiser", required=True, help="the organising unit")
@click.option("--by", "recorded_by", required=True, help="staff username")
def record_service(volunteer_id: int, activity: str, served_on, hours: float, organiser: str,
                   recorded_by: str) -> None:
    """Record a volunteer's service (an approved volunteer's hours)."""
    from handlers.staff import audit
    from handlers.volunteers import service

    try:
        entry = service.record(volunteer_id, activity, served_on.date(), hours, organiser, recorded_by)
    except service.ServiceError as error:
        db.session.rollback()
        raise click.ClickException(str(error))
    audit.record(None, "service", entry.region_code, target=f"volunteer {volunteer_id}",
                 detail={"hours": float(entry.hours), "by": "cli"}, username=recorded_by)
    db.session.commit()
    click.echo(f"recorded {entry.hours} h for volunteer {volunteer_id}")


@click.command("export-volunteers")
@click.argument("region_code")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--full-phone", is_flag=True, help="full phone numbers (only for staff who call them)")
@click.option("--by", "exporter", default="cli", show_default=True, help="staff username, for the audit log")
def export_volunteers(region_code: str, output: Path, full_phone: bool, exporter: str) -> None:
    """Volunteers of REGION_CODE's subtree to an Excel file; phone numbers masked by default."""
    from handlers.people import regions
    from handlers.staff import audit
    from handlers.volunteers.export import workbook

    if regions.get(region_code) is None:
        raise click.ClickException(f"no region {region_code}")
    content, count = workbook(region_code, full_phone)
    output.write_bytes(content)
    audit.record(None, "export", region_code, target="volunteers",
                 detail={"count": count, "full_phone": full_phone, "by": "cli"}, username=exporter)
    db.session.commit()
    click.echo(f"{count} volunteers → {output}" + (" (full phone numbers)" if full_phone else ""))


COMMANDS = (import_regions, add_community, review_volunteer, record_service, export_volunteers)
