from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    secret_key: str = "change-me"
    debug: bool = True
    sentry_dsn: str = ""


settings = Settings()
