"""Batches: mass lists follow streets, never hold a lone openid, and stay within 10,000."""
from handlers.campaigns.push.batches import cut
from handlers.campaigns.push.channels import Recipient


def listed(code: str, n: int, start: int = 0) -> list[Recipient]:
    return [Recipient(start + i, f"o-{start + i}", code, channel="mass_list") for i in range(n)]


def test_mass_lists_follow_streets_and_never_hold_one_openid(app):
    app.config["PUSH_MASS_BATCH"] = 4
    people = listed("220102001", 9) + listed("220102002", 1, 100) + listed("220102003001", 2, 200)
    batches = cut(people, "220102")
    assert all(2 <= len(members) <= 4 for _, _, _, members in batches)
    assert sorted(r.resident_id for *_, members in batches for r in members) == sorted(r.resident_id for r in people)
    regions = [region for _, region, _, _ in batches]
    assert "220102003" in regions  # a community counts for its street
    # The lone openid of 220102002 joined a batch with room: its clicks count for the district.
    assert sorted(regions) == ["220102", "220102001", "220102001", "220102003"]


def test_one_by_one_channels_go_a_batch_size_at_a_time(app):
    app.config["PUSH_BATCH_SIZE"] = 3
    people = [Recipient(i, f"o-{i}", "220102001", channel="custom") for i in range(7)]
    assert [len(m) for channel, _, _, m in cut(people, "220102")] == [3, 3, 1]
