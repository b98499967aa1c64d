"""The mini-program's reports: POST /api/v1/reports (multipart, photo checked), GET /api/v1/reports."""
from io import BytesIO

from tests.admin_support import STREET_A, seed_regions

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def post(mini_program, token, photo: bytes | None = None, **fields):
    data = {"kind": "dumping", "description": "楼下有人乱倒", "region_code": STREET_A, **fields}
    if photo is not None:
        data["photo"] = (BytesIO(photo), "x.jpg")
    return mini_program.call("POST", "/reports", token, data=data, content_type="multipart/form-data")


def test_a_report_with_a_photo_and_the_list_with_its_status(app, mini_program):
    seed_regions()
    token = mini_program.login("api-rep")
    filed = post(mini_program, token, JPEG, lat="43.85", lng="125.33")
    assert filed.status_code == 201, filed.json
    assert filed.json["status"] == "new" and filed.json["has_photo"] and filed.json["lat"] == 43.85
    assert post(mini_program, token, PNG).status_code == 201
    mine = mini_program.call("GET", "/reports", token).json["reports"]
    assert [r["id"] for r in mine] == [filed.json["id"] + 1, filed.json["id"]]
    assert mine[0]["status_label"] == "已收到，待处理"


def test_a_bad_photo_type_or_size_is_refused(app, mini_program):
    seed_regions()
    app.config["REPORT_PHOTO_MAX_BYTES"] = 1000
    token = mini_program.login("api-bad")
    gif = post(mini_program, token, b"GIF89a" + b"\x00" * 50)
    assert gif.status_code == 415 and gif.json["error"]["code"] == "photo_type"
    big = post(mini_program, token, JPEG + b"\x00" * 2000)
    assert big.status_code == 413 and big.json["error"]["code"] == "photo_size"
    assert post(mini_program, token, kind="fire").status_code == 400
    assert post(mini_program, token, region_code="2201").status_code == 400  # a street or community
    assert mini_program.call("GET", "/reports", token).json["reports"] == []


def test_the_daily_limit_holds_in_the_api(app, mini_program):
    seed_regions()
    app.config["REPORTS_PER_DAY"] = 1
    token = mini_program.login("api-many")
    assert post(mini_program, token).status_code == 201
    refused = post(mini_program, token)
    assert refused.status_code == 429 and refused.json["error"]["code"] == "too_many_reports"


def test_the_reports_are_documented(app, client):
    document = client.get("/api/v1/docs/openapi.json").json
    assert {"get", "post"} <= set(document["paths"]["/api/v1/reports"])
