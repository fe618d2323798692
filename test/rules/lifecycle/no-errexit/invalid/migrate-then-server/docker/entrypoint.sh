#!/bin/sh
# Apply migrations, then hand over to the server.
alembic upgrade head
echo "starting $*"
exec "$@"
