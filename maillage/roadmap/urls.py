from django.urls import path

from maillage.roadmap import manage_views as manage
from maillage.roadmap import views
from maillage.roadmap.editing import KINDS

app_name = "roadmap"
urlpatterns = [
    path("", views.home, name="home"),
    path("bodies/<int:pk>/", views.body_detail, name="body"),
    path("bodies/<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/decisions/new/", views.decision_new, name="decision_new"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar.ics", views.calendar_ical, name="calendar_ical"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/urbact/", views.plan_urbact, name="plan_urbact"),
    path("plans/<int:pk>/urbact.json", views.plan_urbact_json, name="plan_urbact_json"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/activities/new/", views.activity_new, name="activity_new"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/<int:pk>/values/new/", views.indicator_value_new, name="indicator_value_new"),
    path("inventory/", views.inventory, name="inventory"),
    path("inventory/new/", views.inventory_new, name="inventory_new"),
    path("report/<int:year>/", views.report, name="report"),
    path("report/<int:year>/pdf/", views.report_pdf, name="report_pdf"),
    path("export/<slug:kind>.csv", views.export_csv, name="export_csv"),
    path("bodies/new/", manage.body_new, name="body_new"),
    path("bodies/<int:pk>/members/new/", manage.body_member_new, name="body_member_new"),
    path("meetings/<int:pk>/attendance/", manage.attendance_edit, name="attendance"),
    path("plans/new/", manage.plan_new, name="plan_new"),
    path("plans/<int:pk>/objectives/new/", manage.objective_new, name="objective_new"),
    path("objectives/<int:pk>/results/new/", manage.result_new, name="result_new"),
    path("plans/<int:pk>/actions/new/", manage.action_new, name="action_new"),
    path("actions/<int:pk>/partners/new/", manage.partner_new, name="partner_new"),
    path("actions/<int:pk>/funding/new/", manage.funding_new, name="funding_new"),
    path("actions/<int:pk>/risks/new/", manage.risk_new, name="risk_new"),
    path("indicators/new/", manage.indicator_new, name="indicator_new"),
    path("indicators/<int:pk>/targets/new/", manage.target_new, name="target_new"),
]
# Edit and delete every record the forms above add: bodies/3/edit/, risks/7/delete/…
for kind in KINDS.values():
    urlpatterns += [
        path(
            f"{kind.prefix}/<int:pk>/edit/",
            manage.object_edit,
            {"kind": kind.key},
            name=f"{kind.key}_edit",
        ),
        path(
            f"{kind.prefix}/<int:pk>/delete/",
            manage.object_delete,
            {"kind": kind.key},
            name=f"{kind.key}_delete",
        ),
    ]
