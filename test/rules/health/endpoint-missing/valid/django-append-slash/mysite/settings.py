SECRET_KEY = "x"
ROOT_URLCONF = "mysite.urls"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
