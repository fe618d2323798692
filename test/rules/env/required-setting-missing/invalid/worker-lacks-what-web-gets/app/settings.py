import os

from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict

SIGNING_KEY = os.environ["SIGNING_KEY"]


class Broker(BaseModel):
    url: str


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_nested_delimiter="__")

    database_url: str
    broker: Broker
    debug: bool = False


settings = Settings()
