from django.urls import path, re_path

from . import views

urlpatterns = [
    path("items/<int:pk>/", views.health),
    re_path(r"^ping/?$", views.health),
]
