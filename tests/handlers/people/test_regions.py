"""The region tree: a re-runnable import, communities staff add, and binding an area in the chat."""
from pathlib import Path

from bot.cli.people import add_community, import_regions
from handlers.people import regions
from models import Region, Resident, db


def count_regions(**filters) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Region).filter_by(**filters))


def test_import_builds_the_tree_and_a_rerun_changes_nothing(app):
    runner = app.test_cli_runner()
    first = runner.invoke(import_regions, catch_exceptions=False)
    assert "247 added" in first.output
    again = runner.invoke(import_regions, catch_exceptions=False)
    assert "0 added, 0 updated, 0 retired, 247 unchanged" in again.output
    assert count_regions() == 247
    assert count_regions(level=2) == 15 and count_regions(level=3) == 231
    assert regions.path_name("220102001") == "南关区南岭街道"


def test_reimport_of_a_changed_list_renames_and_retires_without_orphans(region_tree, tmp_path: Path):
    runner = region_tree.test_cli_runner()
    runner.invoke(add_community, ["220102001", "南岭社区"], catch_exceptions=False)
    resident = Resident(openid="o-bound", region_code="220102002")
    db.session.add(resident)
    db.session.commit()
    official = Path("content/regions/changchun.csv").read_text(encoding="utf-8").splitlines()
    changed = [line.replace("南岭街道", "南岭新街道") for line in official
               if not line.startswith(("220102002,", "220102001,"))]
    changed.append("220102001,220102,南岭新街道,street")
    (tmp_path / "new.csv").write_text("\n".join(changed) + "\n", encoding="utf-8")
    result = runner.invoke(import_regions, ["--file", str(tmp_path / "new.csv")], catch_exceptions=False)
    assert "0 added, 1 updated, 1 retired" in result.output
    assert db.session.get(Region, "220102001").name == "南岭新街道"
    retired = db.session.get(Region, "220102002")
    assert retired is not None and not retired.active  # 自强街道 kept for the resident bound to it
    assert db.session.get(Region, "220102001001").active  # staff's community survives re-imports
    parents = {r.parent_code for r in db.session.execute(db.select(Region)).scalars()} - {None}
    assert all(db.session.get(Region, code) is not None for code in parents)
    assert "自强街道" not in [r.name for r in regions.children("220102")]


def test_a_broken_region_file_is_refused_whole(region_tree, tmp_path: Path):
    (tmp_path / "bad.csv").write_text("code,parent_code,name,type\n2201,,长春市,city\n"
                                      "220199001,220199,孤儿街道,street\n", encoding="utf-8")
    result = region_tree.test_cli_runner().invoke(import_regions, ["--file", str(tmp_path / "bad.csv")])
    assert result.exit_code != 0 and "does not hang under" in result.output
    assert count_regions(active=True) == 247


def test_staff_add_communities_under_streets_only(region_tree):
    runner = region_tree.test_cli_runner()
    first = runner.invoke(add_community, ["220102001", "南岭社区"], catch_exceptions=False)
    second = runner.invoke(add_community, ["220102001", "大马路社区"], catch_exceptions=False)
    assert "220102001001" in first.output and "220102001002" in second.output
    assert runner.invoke(add_community, ["220102001", "南岭社区"]).exit_code != 0  # no duplicates
    assert runner.invoke(add_community, ["220102", "某社区"]).exit_code != 0  # a district, not a street
    assert db.session.get(Region, "220102001002").level == 4


def test_binding_walks_district_street_community_by_number_and_name(wechat, region_tree):
    regions.add_community("220102001", "南岭社区")
    db.session.commit()
    openid = "o-binder"
    assert "保存您选择的街道和社区" in wechat.ask(openid, "绑定小区")  # consent first
    assert "1. 南关区" in wechat.ask(openid, "同意")
    assert "1. 南岭街道" in wechat.ask(openid, "1")
    communities = wechat.ask(openid, "南岭")
    assert "1. 南岭社区" in communities and "回复“0”就选南岭街道" in communities
    assert "已绑定：南关区南岭街道南岭社区" in wechat.ask(openid, "南岭社区")
    assert "南关区南岭街道南岭社区" in wechat.ask(openid, "我的小区")
    resident = db.session.execute(db.select(Resident).filter_by(openid=openid)).scalar_one()
    assert resident.region_code == "220102001001"


def test_binding_again_changes_the_area_and_skips_consent(wechat, region_tree):
    openid = "o-mover"
    wechat.ask(openid, "绑定小区")
    wechat.ask(openid, "同意")
    assert "已绑定：朝阳区" in wechat.ask(openid, "朝阳区永昌街道")  # a path in one go
    assert "1. 南关区" in wechat.ask(openid, "绑定小区")  # no second consent
    assert "已绑定：长春经济技术开发区" in wechat.ask(openid, "经开区临河街道")
    assert "长春经济技术开发区临河街道" in wechat.ask(openid, "我的小区")


def test_binding_fuzzy_typos_ambiguous_names_and_back(wechat, region_tree):
    openid = "o-fuzzy"
    wechat.ask(openid, "绑定小区")
    wechat.ask(openid, "同意")
    both = wechat.ask(openid, "正阳街道")  # one in 绿园区, one in 榆树市
    assert "有几个地方叫这个名字" in both and "榆树市正阳街道" in both
    number = next(line.split(".")[0] for line in both.split("\n") if "绿园区正阳街道" in line)
    assert "已绑定：绿园区正阳街道" in wechat.ask(openid, number)
    wechat.ask(openid, "绑定小区")
    assert "南关区的街道" in wechat.ask(openid, "南关")
    assert "请选择您所在的区" in wechat.ask(openid, "返回")
    typo = wechat.ask(openid, "南领街道")  # a typo: the closest names to pick from
    number = next(line.split(".")[0] for line in typo.split("\n") if "南关区南岭街道" in line)
    assert "已绑定：南关区南岭街道" in wechat.ask(openid, number)


def test_declining_consent_binds_nothing(wechat, region_tree):
    openid = "o-decliner"
    wechat.ask(openid, "绑定小区")
    assert "不登记也没关系" in wechat.ask(openid, "不同意")
    assert "还没有绑定小区" in wechat.ask(openid, "我的小区")
    assert "有害垃圾" in wechat.ask(openid, "废电池")  # no dialog is left waiting
