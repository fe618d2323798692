import os

# only "1" switches debug on
DEBUG = os.environ.get("DEBUG", "0") == "1"
