import os

SECRET = os.environ.get("SECRET_KEY", "")
