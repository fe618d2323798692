from fastapi import FastAPI

app = FastAPI()


def make(name):
    def handler():
        return {"ok": name}
    return handler


for name in ("health", "healthz"):
    app.add_api_route(f"/{name}", make(name))
