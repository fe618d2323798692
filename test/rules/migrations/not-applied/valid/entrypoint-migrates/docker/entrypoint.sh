#!/bin/sh
set -e
if [ "$ENVIRONMENT" != "test" ]; then
  alembic upgrade head
fi
exec "$@"
