# Alembic environment (trimmed for the example).
