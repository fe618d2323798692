from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseModel):
    host: str = "localhost"
    port: int = 5432
    user: str = "shop"
    password: str = ""
    database: str = "shop"


class VaultSettings(BaseModel):
    enabled: bool = False
    url: str = "http://vault:8200"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_nested_delimiter="__")

    environment: str = "development"
    secret_key: str = "change-me"
    database: DatabaseSettings = DatabaseSettings()
    vault: VaultSettings = VaultSettings()


settings = Settings()
