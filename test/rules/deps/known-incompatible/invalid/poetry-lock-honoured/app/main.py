from fastapi import FastAPI
from passlib.context import CryptContext

app = FastAPI()
pwd = CryptContext(schemes=["bcrypt"], deprecated="auto")


@app.get("/hash")
def hash_it(password: str) -> str:
    return pwd.hash(password)
