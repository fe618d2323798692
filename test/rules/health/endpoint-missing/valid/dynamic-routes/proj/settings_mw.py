from .settings import *  # noqa

ROOT_URLCONF = "proj.urls_static"
MIDDLEWARE = ["proj.middleware.HealthCheckMiddleware", "django.middleware.common.CommonMiddleware"]
