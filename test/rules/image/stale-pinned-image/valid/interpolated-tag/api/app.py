import redis
from flask import Flask

app = Flask(__name__)
cache = redis.Redis(host="redis")


@app.get("/")
def index():
    return {"hits": cache.incr("hits")}
