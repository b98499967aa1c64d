"""Drop-off points (回收点): where residents take what the kerbside bins do not.

Residents ask through the chat or the mini-program: `nearest(lat, lng, kind)` answers both.
Staff keep the points of their own subtree (`points`) and import them from Excel (`importing`).
"""
from handlers.places.nearby import NearPoint, nearest
from handlers.places.points import PlaceError, kind_label

__all__ = ["NearPoint", "PlaceError", "kind_label", "nearest"]
