from django.urls import path

from luoshi.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("tasks/<int:pk>/", views.index, name="task_detail"),
    path("notices/<int:pk>/", views.index, name="notice_detail"),
]
