"""Permanent parametric QR codes for posters, made by staff at each tier.

A code's scene names an area in the staff member's subtree ("area-<code>": a follow through it is
offered that area, see handlers/people/areas.py) or a campaign they can see ("campaign-<id>").
WeChat sends the scene back with the follow (subscribe, EventKey "qrscene_<scene>") or the scan
(SCAN); the resident's follow_scene keeps it and the dashboard counts followers per code.
Permanent codes: at most 100,000 per account, scene_str 1–64 characters.
https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html
"""
from handlers.campaigns import authoring as campaigns
from handlers.people import regions
from handlers.staff import audit, scope
from infra.wechat.send import Sender, SendError
from models import QrCode, db


class QrCodeError(ValueError):
    """Why a code cannot be made; the message is for staff, in Chinese."""


def create(staff, kind: str, target: str) -> QrCode:
    """The code for an area or a campaign; the same scene gives back the code made before."""
    target = (target or "").strip()
    if kind == "area":
        region = regions.get(target)
        if region is None or not scope.in_scope(staff, region.code):
            raise QrCodeError("只能为本辖区内的区域制作二维码")
        label = regions.path_name(region.code)
    elif kind == "campaign":
        campaign = campaigns.get_visible(staff, int(target)) if target.isdigit() else None
        if campaign is None:
            raise QrCodeError("找不到这个宣传活动")
        label = campaign.title
    else:
        raise QrCodeError("请选择区域或宣传活动")
    scene = f"{kind}-{target}"
    found = db.session.execute(db.select(QrCode).filter_by(scene=scene)).scalar()
    if found is not None:
        return found
    try:
        made = Sender().permanent_qrcode(scene)
    except SendError as error:
        raise QrCodeError(f"微信未能生成二维码（错误 {error.code}），请稍后再试")
    code = QrCode(scene=scene, label=label[:60], region_code=staff.region_code, ticket=made["ticket"],
                  url=made["url"], created_by=staff.username)
    db.session.add(code)
    audit.record(staff, "qrcode_create", staff.region_code, scene)
    db.session.flush()
    return code


def visible(staff) -> list[QrCode]:
    query = scope.scope_filter(db.select(QrCode), QrCode.region_code, staff).order_by(QrCode.id.desc())
    return list(db.session.execute(query).scalars())


def labels() -> dict[str, str]:
    return dict(db.session.execute(db.select(QrCode.scene, QrCode.label)).all())
