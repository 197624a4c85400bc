from django.urls import path

from luoshi.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.index, name="index"),
]
