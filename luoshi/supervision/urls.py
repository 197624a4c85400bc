from django.urls import path
from django.views.generic import RedirectView

from luoshi.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/action/", views.task_action, name="task_action"),
    path("tasks/<int:pk>/report/", views.report_submit, name="report_submit"),
    path("tasks/<int:pk>/notice/", views.notice_issue, name="notice_issue"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("mine/", views.my_tasks, name="my_tasks"),
    path("mine/workbook.xlsx", views.workbook_export, name="workbook_export"),
    path("mine/import/", views.workbook_import, name="workbook_import"),
    path("overview/", views.overview, name="overview"),
    path("scoreboard/", views.scoreboard, name="scoreboard"),
    path("notifications/", RedirectView.as_view(pattern_name="notifications:index"), name="notifications"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/docx/", views.notice_docx, name="notice_docx"),
    path("report/", views.dispatch_report, name="dispatch"),
    path("tasks/<int:pk>/assign/", views.task_assign, name="task_assign"),
    path("tasks/<int:pk>/instruct/", views.task_instruct, name="task_instruct"),
    path("proposals/", views.proposals, name="proposals"),
    path("plans/<int:plan_id>/rules/", views.plan_rules, name="plan_rules"),
]
