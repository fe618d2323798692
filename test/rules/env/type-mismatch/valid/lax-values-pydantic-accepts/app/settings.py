from typing import Literal

from pydantic import HttpUrl
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    port: int = 8000
    debug: bool = False
    log_level: Literal["debug", "info", "warning"] = "info"
    allowed_hosts: list[str] = []
    public_url: HttpUrl = "http://localhost:8000"
    ratio: float = 0.5


settings = Settings()
