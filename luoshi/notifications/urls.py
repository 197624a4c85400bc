from django.urls import path

from luoshi.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.open_one, name="open"),
    path("preferences/", views.preferences, name="preferences"),
]
