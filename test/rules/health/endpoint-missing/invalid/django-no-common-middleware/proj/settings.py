SECRET_KEY = "x"
ROOT_URLCONF = "proj.urls"
# no MIDDLEWARE: Django's default is [], so APPEND_SLASH never redirects
