#!/bin/sh
# Wait for the database, then hand over to the server.
until python -c "import socket; socket.create_connection(('db', 5432), 2)" 2>/dev/null; do
  echo "waiting for db"; sleep 1
done
if [ "$ENVIRONMENT" = "development" ]; then
  alembic upgrade head
fi
gunicorn "$@"
