from fastapi import FastAPI
from fastapi_health import add_health_routes

app = FastAPI()
add_health_routes(app)
