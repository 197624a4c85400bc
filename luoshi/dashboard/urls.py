from django.urls import path

from luoshi.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("records/<str:key>/", views.records, name="records"),
    path("rankings/", views.rankings, name="rankings"),
    path("weights/", views.weights, name="weights"),
    path("trends/", views.trends, name="trends"),
    path("screen/", views.screen, name="screen"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("report.docx", views.report_docx, name="report_docx"),
    path("escalate/", views.escalate, name="escalate"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/import/", views.indicators_import, name="indicators_import"),
    path("indicators/template.xlsx", views.indicators_template, name="indicators_template"),
    path("indicators/values/import/", views.values_import, name="values_import"),
    path("indicators/<int:pk>/", views.indicator, name="indicator"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/report/", views.indicator_report, name="indicator_report"),
]
