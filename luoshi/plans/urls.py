from django.urls import path

from luoshi.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("<int:pk>/", views.review, name="review"),
    path("<int:pk>/diff/", views.diff, name="diff"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/export.xlsx", views.export, name="export"),
    path("<int:pk>/units/confirm/", views.confirm_unit, name="confirm_unit"),
    path("<int:pk>/units/resolve/", views.resolve_units, name="resolve_units"),
    path("<int:pk>/deadlines/default/", views.apply_period_default, name="apply_period_default"),
    path("<int:pk>/details/", views.edit_details, name="edit_details"),
    path("measures/<int:pk>/deadline-default/", views.measure_period_default, name="measure_period_default"),
    path("measures/<int:pk>/ongoing/", views.measure_confirm_ongoing, name="measure_confirm_ongoing"),
    path("measures/<int:pk>/", views.measure_row, name="measure_row"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/adopt/", views.measure_adopt, name="measure_adopt"),
    path("measures/<int:pk>/assign/", views.measure_assign, name="measure_assign"),
    path("measures/<int:pk>/split/", views.measure_split, name="measure_split"),
    path("measures/<int:pk>/merge/", views.measure_merge, name="measure_merge"),
    path("measures/<int:pk>/delete/", views.measure_delete, name="measure_delete"),
]
