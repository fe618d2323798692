#!/bin/sh
set -e
if [ "$ENVIRONMENT" = "development" ]; then
  alembic upgrade head
fi
exec "$@"
