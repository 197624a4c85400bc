from django.urls import path

from luoshi.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
]
