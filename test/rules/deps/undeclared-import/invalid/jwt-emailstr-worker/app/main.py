import os
import jwt
from fastapi import FastAPI
from pydantic import BaseModel, EmailStr

from app.settings import SECRET

app = FastAPI()


class Signup(BaseModel):
    email: EmailStr


@app.post("/token")
def token(body: Signup) -> dict:
    return {"token": jwt.encode({"sub": body.email}, SECRET, algorithm="HS256"), "pid": os.getpid()}
