"""`flask --app bot send-reminders`: queue tomorrow's activity reminders (run daily by cron).

With Redis, reminders are also scheduled when an activity is saved; this command is the embedded
default's way, and a safety net: a reminder already sent is never sent again.
"""
import click

from handlers.schools import reminders
from models import db


@click.command("send-reminders")
def send_reminders() -> None:
    """Queue the reminders for activities starting tomorrow (Changchun date)."""
    due = reminders.due_activities()
    queued = sum(reminders.send_reminders(activity_id) for activity_id in due)
    db.session.commit()
    click.echo(f"{len(due)} activities tomorrow, {queued} reminders queued")


COMMANDS = (send_reminders,)
