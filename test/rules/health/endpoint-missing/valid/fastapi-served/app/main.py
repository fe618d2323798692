from fastapi import FastAPI

from app.routers import health

API_PREFIX = "/v1"


def create_app() -> FastAPI:
    app = FastAPI(docs_url=None)
    app.include_router(health.router, prefix=API_PREFIX)
    return app
