"""Activities in the chat: where to find and enrol in them (the mini-program), and the next few."""
from content.intents import reply
from handlers.people import residents
from handlers.router import Message, router
from handlers.schools.activities import catalogue
from infra.clock import label

LISTED = 3  # upcoming activities named in the chat; the mini-program lists them all


@router.on_intent("activities")
def point_to_activities(message: Message) -> str:
    resident = residents.find(message.openid)
    upcoming = catalogue.for_family(None, resident)[:LISTED] if resident is not None else []
    listed = ""
    if upcoming:
        lines = "\n".join(reply("activity_line", title=a.title, when=label(a.starts_at), place=a.place)
                          for a in upcoming)
        listed = reply("activities_listed", lines=lines)
    return reply("activities", listed=listed)
