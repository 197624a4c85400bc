from django.urls import path

from luoshi.requests import views

app_name = "requests"
urlpatterns = [
    path("", views.index, name="index"),
]
