"""Charts of a reach report: one bar chart per tier (districts of the city, streets of a district)."""
from bot.admin import charts
from content.staff_texts import staff_text
from handlers.staff import scope


def charts_for(reach, staff) -> list[dict]:
    """[{title, chart}] for the staff member's node and each district below it that has figures."""
    shown = []
    tiers = [n for n in reach.nodes.values() if n.code == staff.region_code or (
        scope.level(n.code) == "district" and n.code.startswith(staff.region_code))]
    for node in sorted(tiers, key=lambda n: n.code):
        children = reach.children(node.code)
        if not children:
            continue
        level = "city" if scope.level(node.code) == "city" else "district"
        shown.append({"title": staff_text(f"pushes.reach_chart.{level}", name=node.name),
                      # one scale for both bars: clicks can outnumber messages sent
                      "chart": charts.bars([(c.name, c.sent) for c in children],
                                           peak=max([c.sent for c in children] + [c.opened for c in children])),
                      "opened": {c.name: c.opened for c in children}})
    return shown
