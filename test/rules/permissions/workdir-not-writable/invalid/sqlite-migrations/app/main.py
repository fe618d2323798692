import os

from sqlalchemy import create_engine

engine = create_engine(os.environ["DATABASE_URL"])


def app(environ, start_response):
    start_response("200 OK", [])
    return [b"ok"]
