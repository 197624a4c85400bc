from django.urls import path

from luoshi.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("export.xlsx", views.export, name="export"),
    path("import/", views.import_view, name="import"),
    path("rules/", views.rules, name="rules"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/milestones/actual/", views.milestone_actual, name="milestone_actual"),
    path("<int:pk>/milestones/plan/", views.milestone_plan, name="milestone_plan"),
    path("<int:pk>/problems/", views.problem_raise, name="problem_raise"),
    path("problems/<int:pk>/resolve/", views.problem_resolve, name="problem_resolve"),
]
