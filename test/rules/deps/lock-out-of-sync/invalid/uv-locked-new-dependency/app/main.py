import httpx
from fastapi import FastAPI

app = FastAPI()
client = httpx.AsyncClient()
