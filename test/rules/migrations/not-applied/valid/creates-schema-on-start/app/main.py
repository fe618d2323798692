from sqlalchemy import create_engine
from sqlalchemy.orm import declarative_base

Base = declarative_base()
engine = create_engine("postgresql://db/app")
Base.metadata.create_all(bind=engine)


def app(environ, start_response):
    start_response("200 OK", [])
    return [b"ok"]
