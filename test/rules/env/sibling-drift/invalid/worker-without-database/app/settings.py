from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseModel):
    host: str = "localhost"
    user: str = "app"
    password: str = ""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_nested_delimiter="__")

    log_level: str = "info"
    database: DatabaseSettings = DatabaseSettings()


settings = Settings()
