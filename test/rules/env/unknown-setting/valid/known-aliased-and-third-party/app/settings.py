from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseModel):
    host: str = "localhost"
    port: int = 5432
    user: str = "shop"
    password: str = ""
    database: str = "shop"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOP_", env_nested_delimiter="__")

    debug: bool = False
    api_key: str = Field("", alias="PAYMENTS_API_KEY")
    database: DatabaseSettings = DatabaseSettings()


settings = Settings()
