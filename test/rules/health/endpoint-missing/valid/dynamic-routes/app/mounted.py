from fastapi import FastAPI
from metrics_app import internal

app = FastAPI()
app.mount("/internal", internal)


@app.get("/health")
def health():
    return {"ok": True}
