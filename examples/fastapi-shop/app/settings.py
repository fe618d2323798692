from pydantic import BaseModel, model_validator
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
    trusted_hosts: list[str] = []
    database: DatabaseSettings = DatabaseSettings()
    vault: VaultSettings = VaultSettings()

    @model_validator(mode="after")
    def check_production(self) -> "Settings":
        if self.environment == "production" and not self.vault.enabled:
            raise ValueError("production secrets come from Vault: set VAULT__ENABLED=true")
        if self.environment == "production" and not self.trusted_hosts:
            raise ValueError("TRUSTED_HOSTS must list the public host names in production")
        return self


settings = Settings()
