#!/bin/sh
set -e
until python -c "import socket; socket.create_connection(('db', 5432), 2)"; do
  sleep 1
done
exec "$@"
