from fastapi import FastAPI

from .settings import settings

app = FastAPI()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "environment": settings.environment}
