from django.urls import path

from luoshi.directory import views

app_name = "orgs"
urlpatterns = [
    path("", views.index, name="index"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/aliases/", views.alias_add, name="alias_add"),
    path("units/<int:pk>/aliases/<int:alias_pk>/remove/", views.alias_remove, name="alias_remove"),
    path("units/<int:pk>/verify/", views.unit_verify, name="unit_verify"),
    path("units/<int:pk>/rename/", views.unit_rename, name="unit_rename"),
    path("units/<int:pk>/update/", views.unit_update, name="unit_update"),
    path("units/<int:pk>/merge/", views.unit_merge, name="unit_merge"),
    path("resolve/", views.confirm, name="confirm"),
    path("import/", views.import_file, name="import"),
    path("export/", views.export_file, name="export"),
]
