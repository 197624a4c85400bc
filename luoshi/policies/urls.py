from django.urls import path

from luoshi.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.index, name="index"),
    path("library/", views.library, name="library"),
    path("p/<int:pk>/", views.policy, name="policy"),
    path("items/<int:pk>/", views.item, name="item"),
    path("items/<int:pk>/rule/", views.rule_editor, name="rule_editor"),
    path("items/<int:pk>/draw/", views.batch_draw, name="batch_draw"),
    path("versions/<int:pk>/preview/", views.preview, name="preview"),
    path("versions/<int:pk>/publish/", views.publish, name="publish"),
    path("department/", views.department, name="department"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("reach/", views.reach, name="reach"),
    path("mine/", views.mine, name="mine"),
    path("pushes/<int:pk>/", views.push_action, name="push_action"),
    path("calculator/", views.calculator, name="calculator"),
]
