import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev")
DEBUG = os.environ.get("DEBUG", "1") == "1"
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
