from django.urls import path

from luoshi.calendar import views

app_name = "calendar"
urlpatterns = [
    path("", views.index, name="index"),
]
