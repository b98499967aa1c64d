"""Names vulture cannot see used (scripts/deadcode.sh). Each block says why they stay."""
# ruff: noqa
_ = object()

# Used by WSGI servers, Flask and Prometheus (called by the framework, not by us)
create_app  # unused function (bot/__init__.py:5)
x  # unused variable (bot/admin/charts.py:9)
y  # unused variable (bot/admin/charts.py:10)
width  # unused variable (bot/admin/charts.py:11)
_.collect  # unused method (bot/site/metrics.py:47)
_.max_content_length  # unused attribute (bot/webhook/views.py:36)
_.request_id  # unused attribute (infra/logs.py:20)
_._http  # unused attribute (infra/wechat/client.py:40)
metadata  # unused variable (models/__init__.py:17)
sort_keys  # unused variable (bot/errors.py:106): Flask's JSON provider reads it
_.session_interface  # unused attribute (bot/__init__.py:28): Flask opens sessions through it

# Read in Jinja templates or returned as JSON (dataclass and pydantic fields)
places_left  # unused variable (bot/api/activities.py:35)
enrolment_open  # unused variable (bot/api/activities.py:36)
checked_in  # unused variable (bot/api/activities.py:51)
deleted  # unused variable (bot/api/families.py:68)
adapter  # unused variable (bot/api/login.py:79)
adapter  # unused variable (bot/api/openapi.py:74)
adapter  # unused variable (bot/api/regions.py:37)
volunteer_status  # unused variable (bot/api/residents.py:32)
waitlisted  # unused variable (bot/api/school.py:63)
qr_svg  # unused variable (bot/api/school.py:97)
bin_colour  # unused variable (bot/api/sorting.py:25)
tip  # unused variable (bot/api/sorting.py:27)
depends  # unused variable (bot/api/sorting.py:34)
region_name  # unused variable (bot/api/volunteers.py:68)
region_name  # unused variable (bot/api/volunteers.py:80)
coordinates  # unused variable (bot/api/places.py:27)
geometry  # unused variable (bot/api/places.py:42)
properties  # unused variable (bot/api/places.py:43)
target_2025  # unused variable (bot/api/cells.py:38)
type_name  # unused variable (bot/api/cells.py:59)
action_label  # unused variable (bot/api/cells.py:88)
finished  # unused variable (bot/api/quiz.py:30)
choice  # unused variable (bot/api/quiz.py:37)
auth  # unused variable (bot/api/reference.py:36)
body_type  # unused variable (bot/api/reference.py:38)
body_schema  # unused variable (bot/api/reference.py:39)
anchor  # unused property (bot/api/reference.py:43)
_.reviewed_year  # unused attribute (handlers/cells/workflow.py:188)
_.reviewed_year  # unused attribute (handlers/cells/workflow.py:190)
_.review_points  # unused attribute (handlers/cells/workflow.py:222)
week  # unused variable (handlers/figures/dashboard.py:21)
most_asked  # unused variable (handlers/figures/dashboard.py:23)
unrecognised_total  # unused variable (handlers/figures/dashboard.py:25)
residents_bound  # unused variable (handlers/figures/dashboard.py:26)
_.week  # unused attribute (handlers/figures/dashboard.py:54)
_.most_asked  # unused attribute (handlers/figures/dashboard.py:66)
_.unrecognised_total  # unused attribute (handlers/figures/dashboard.py:77)
_.unrecognised_total  # unused attribute (handlers/figures/dashboard.py:86)
_.residents_bound  # unused attribute (handlers/figures/dashboard.py:91)
_.percent  # unused property (handlers/figures/tiers.py:38)
waitlisted  # unused variable (handlers/schools/activities/figures.py:17)
bin_colour  # unused variable (handlers/sorting/answer.py:13)
tip  # unused variable (handlers/sorting/answer.py:15)

# Columns kept for the record (written, read by staff in exports or the database)
_.last_login_at  # unused attribute (bot/admin/auth.py:42)
_.cancelled_by  # unused attribute (handlers/campaigns/push/deliver.py:106)
_.synced_at  # unused attribute (handlers/campaigns/push/tags.py:58)
_.named_at  # unused attribute (handlers/cells/workflow.py:188)
_.cancelled_at  # unused attribute (handlers/schools/activities/cancellation.py:48)
_.cancelled_by  # unused attribute (handlers/schools/activities/cancellation.py:49)
_.cancelled_at  # unused attribute (handlers/schools/activities/cancellation.py:53)
_.checked_in_by  # unused attribute (handlers/schools/activities/checkin.py:80)
_.checked_in_by  # unused attribute (handlers/schools/activities/checkin.py:93)
_.enrolled_at  # unused attribute (handlers/schools/activities/enrolment.py:61)
_.cancelled_at  # unused attribute (handlers/schools/activities/enrolment.py:90)
_.enrolled_at  # unused attribute (handlers/schools/activities/enrolment.py:90)
_.cancelled_at  # unused attribute (handlers/schools/activities/enrolment.py:138)
_.reviewed_at  # unused attribute (handlers/volunteers/records.py:119)
_.reviewed_by  # unused attribute (handlers/volunteers/records.py:119)
cancelled_at  # unused variable (models/activities.py:60)
cancelled_by  # unused variable (models/activities.py:61)
enrolled_at  # unused variable (models/activities.py:104)
cancelled_at  # unused variable (models/activities.py:105)
checked_in_by  # unused variable (models/activities.py:107)
starts_on  # unused variable (models/campaigns.py:32)
ends_on  # unused variable (models/campaigns.py:33)
commitment_version  # unused variable (models/cells.py:45)
committed_at  # unused variable (models/cells.py:46)
named_at  # unused variable (models/cells.py:54)
reviewed_year  # unused variable (models/cells.py:55)
review_points  # unused variable (models/cells.py:78)
uploaded_at  # unused variable (models/cells.py:99)
from_status  # unused variable (models/cells.py:110)
cancelled_by  # unused variable (models/pushes.py:48)
clicked_at  # unused variable (models/pushes.py:105)
synced_at  # unused variable (models/pushes.py:116)
tagged_at  # unused variable (models/pushes.py:127)
question_id  # unused variable (models/quiz.py:74)
LEVELS  # unused variable (models/regions.py:6)
last_seen_at  # unused variable (models/sorting.py:22)
created_by_id  # unused variable (models/staff.py:32)
last_login_at  # unused variable (models/staff.py:34)
reviewed_at  # unused variable (models/volunteers.py:34)
reviewed_by  # unused variable (models/volunteers.py:35)
dismissed_by  # unused variable (models/sorting.py:69)
dismissed_at  # unused variable (models/sorting.py:70)
services  # unused variable (models/volunteers.py:39)
recorded_at  # unused variable (models/volunteers.py:61)

# The fake WeChat API's routes and hooks (registered on its own router)
jscode2session  # unused function (fake_wechat/endpoints.py:86)
custom_send  # unused function (fake_wechat/endpoints.py:117)
tags_create  # unused function (fake_wechat/endpoints.py:152)
tags_get  # unused function (fake_wechat/endpoints.py:162)
tags_update  # unused function (fake_wechat/endpoints.py:168)
tags_delete  # unused function (fake_wechat/endpoints.py:175)
tags_batch_tag  # unused function (fake_wechat/endpoints.py:186)
tags_batch_untag  # unused function (fake_wechat/endpoints.py:197)
tags_of_user  # unused function (fake_wechat/endpoints.py:205)
users_of_tag  # unused function (fake_wechat/endpoints.py:211)
mass_sendall  # unused function (fake_wechat/endpoints.py:258)
mass_send  # unused function (fake_wechat/endpoints.py:269)
mass_preview  # unused function (fake_wechat/endpoints.py:279)
mass_get  # unused function (fake_wechat/endpoints.py:287)
template_send  # unused function (fake_wechat/endpoints.py:356)
subscribe_send  # unused function (fake_wechat/endpoints.py:376)
media_get  # unused function (fake_wechat/endpoints.py)
protocol_version  # unused variable (fake_wechat/server.py:19)
_.log_request  # unused method (fake_wechat/server.py:21)
_.set_fault  # unused method (fake_wechat/server.py:47)
exc_info  # unused variable (fake_wechat/server.py:81)

# Names that document allowed values (statuses to become enums)

# Used by tests only
_.from_items  # unused method (handlers/sorting/engine.py:36)

# Receipts kept on the record (read in the console's reach report and the database)
receipt_status  # models/pushes.py
error_count  # models/pushes.py
receipt_at  # models/pushes.py
_.receipt_status  # handlers/campaigns/push/receipts.py
_.error_count  # handlers/campaigns/push/receipts.py
_.receipt_at  # handlers/campaigns/push/receipts.py
by_qr_code  # handlers/figures/dashboard.py: read by the dashboard template
_.by_qr_code  # handlers/figures/dashboard.py

# Used by tests only
_.next_msg_id  # fake_wechat/server.py: a test names the msg_id WeChat will give the coming send
allows  # handlers/people/windows.py: what a window still allows, asserted by the window tests

# Reports (随手拍): API response fields, template-read figures and columns kept on the record
has_photo  # bot/api/reports.py: a field of ReportOut
reports  # bot/api/reports.py: the field of ReportList
_.median_hours  # handlers/reports/figures.py: read by admin/reports.html
photo_url  # models/reports.py: WeChat's PicUrl of a chat photo, shown in admin/report.html
notified  # models/reports.py: how telling the resident went, shown in admin/report.html
_.prepare_json  # bot/webhook/simulate.py: the tests' JSON push (a mini-program's message push set to JSON)
