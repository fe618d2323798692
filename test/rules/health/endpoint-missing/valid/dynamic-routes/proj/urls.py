from django.urls import include, path

urlpatterns = [
    path("", include("health_check.urls")),
]
