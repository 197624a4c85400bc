from django.urls import path

from luoshi.requests import open311, views

app_name = "requests"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
    path("<int:pk>/files/<int:att>/", views.attachment, name="attachment"),
    path("limits/", views.limits, name="limits"),
    path("accountability/", views.accountability, name="accountability"),
    path("accountability/notice/", views.notice_issue, name="notice_issue"),
    path("notices/<int:pk>/docx/", views.notice_docx, name="notice_docx"),
    path("hotspots/", views.hotspot_list, name="hotspots"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("arrears/", views.arrears_ledger, name="arrears"),
    path("import/", views.import_page, name="import"),
    path("register/", views.register, name="register"),
    path("registrations/", views.registrations, name="registrations"),
    path("open311/v2/services.json", open311.services_json, name="open311_services"),
    path("open311/v2/requests.json", open311.requests_json, name="open311_requests"),
    path("open311/v2/requests/<int:pk>.json", open311.request_json, name="open311_request"),
]
