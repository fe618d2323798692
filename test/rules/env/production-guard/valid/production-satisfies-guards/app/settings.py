from enum import Enum

from pydantic import BaseModel, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(str, Enum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class VaultSettings(BaseModel):
    enabled: bool = False
    url: str = "http://vault:8200"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_nested_delimiter="__")

    environment: Environment = Environment.DEVELOPMENT
    trusted_hosts: list[str] = []
    vault: VaultSettings = VaultSettings()

    @model_validator(mode="after")
    def refuse_unsafe_production(self) -> "Settings":
        if self.environment == Environment.PRODUCTION and not self.vault.enabled:
            raise ValueError("production reads its secrets from Vault")
        if self.environment == Environment.PRODUCTION and not self.trusted_hosts:
            raise ValueError("TRUSTED_HOSTS must be set in production")
        return self


settings = Settings()
