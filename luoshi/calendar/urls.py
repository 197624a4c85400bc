from django.urls import path

from luoshi.calendar import views

app_name = "calendar"
urlpatterns = [
    path("", views.index, name="index"),
    path("corrections/add/", views.correction_add, name="correction_add"),
    path("corrections/<int:pk>/remove/", views.correction_remove, name="correction_remove"),
    path("notices/upload/", views.notice_upload, name="notice_upload"),
    path("regional/add/", views.regional_add, name="regional_add"),
    path("regional/<int:pk>/remove/", views.regional_remove, name="regional_remove"),
]
