"""Campaigns at every tier: adoption keeps the link, and reach rolls up to the original."""
import pytest

from handlers.campaigns import authoring as campaigns
from handlers.campaigns.authoring import CampaignError
from handlers.campaigns.push import report
from tests.push_support import (
    CITY,
    DISTRICT_A,
    DISTRICT_B,
    STREET_A,
    STREET_A2,
    STREET_B,
    add_residents,
    add_staff,
    campaign_with_item,
    follow,
    push,
)


def test_a_district_adopts_the_city_campaign_and_adds_local_items(app):
    city = add_staff("city", "city_admin", CITY)
    district = add_staff("nanguan", "district_admin", DISTRICT_A)
    original, city_item = campaign_with_item(city)
    with pytest.raises(CampaignError):  # the city's campaign is the city's to fill
        campaigns.add_item(district, original, "text", "本区通知", body="周六集中回收")
    adopted = campaigns.adopt(district, original)
    assert campaigns.adopt(district, original).id == adopted.id  # adopting twice is the same adoption
    local = campaigns.add_item(district, adopted, "text", "本区通知", body="周六集中回收")
    assert adopted.adopted_from_id == original.id and adopted.region_code == DISTRICT_A
    assert [i.id for i in campaigns.items_for(adopted)] == [local.id, city_item.id]
    assert campaigns.family(original) == [original.id, adopted.id]


def test_only_a_lower_tier_adopts(app):
    city = add_staff("city", "city_admin", CITY)
    street = add_staff("nanling", "street_admin", STREET_A)
    other_district = add_staff("kuancheng", "district_admin", DISTRICT_B)
    district_campaign, _ = campaign_with_item(add_staff("nanguan", "district_admin", DISTRICT_A))
    with pytest.raises(CampaignError):
        campaigns.adopt(city, district_campaign)  # upward
    with pytest.raises(CampaignError):
        campaigns.adopt(other_district, district_campaign)  # sideways
    assert campaigns.adopt(street, district_campaign).region_code == STREET_A
    assert campaigns.get_visible(other_district, district_campaign.id) is None


def test_a_districts_adopted_campaign_rolls_its_reach_up_to_the_city(app, fake_wechat):
    city = add_staff("city", "city_admin", CITY)
    district = add_staff("nanguan", "district_admin", DISTRICT_A)
    people = add_residents(STREET_A, 3) + add_residents(STREET_A2, 2) + add_residents(STREET_B, 4)
    follow(fake_wechat, people)
    original, _ = campaign_with_item(city)
    adopted = campaigns.adopt(district, original)
    local = campaigns.add_item(district, adopted, "text", "南关区通知", body="周六集中回收旧衣物")
    push(district, [STREET_A, STREET_A2], campaign=adopted, item=local)

    city_view = report.for_campaign(city, original)
    assert city_view.nodes[CITY].sent == 5
    assert city_view.nodes[DISTRICT_A].sent == 5 and DISTRICT_B not in city_view.nodes
    assert (city_view.nodes[STREET_A].sent, city_view.nodes[STREET_A2].sent) == (3, 2)
    # The district sees its own tiers only.
    district_view = report.for_campaign(district, adopted)
    assert CITY not in district_view.nodes and district_view.nodes[DISTRICT_A].sent == 5


def test_sign_ups_after_a_push_count_for_the_campaign_and_forgetting_keeps_the_figures(app, fake_wechat):
    from handlers.people import residents
    from models import Delivery, Volunteer, db

    city = add_staff("city", "city_admin", CITY)
    people = add_residents(STREET_A, 2)
    follow(fake_wechat, people)
    original, item = campaign_with_item(city)
    push(city, [STREET_A], campaign=original, item=item)
    db.session.add(Volunteer(resident_id=people[0].id, name="王五", phone="13900000000", region_code=STREET_A,
                             skills="publicity", availability="weekend", channel="chat"))
    db.session.commit()
    reach = report.for_campaign(city, original)
    assert (reach.nodes[CITY].volunteers, reach.nodes[STREET_A].volunteers) == (1, 1)
    told = residents.forget(people[1].openid)
    db.session.commit()
    assert "1 条推送记录与您的关联" in told
    assert db.session.execute(db.select(Delivery).filter_by(resident_id=None)).scalar_one().status == "sent"
    assert report.for_campaign(city, original).nodes[CITY].sent == 2
