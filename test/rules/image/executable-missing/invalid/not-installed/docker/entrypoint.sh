#!/bin/sh
set -e
until pg_isready -h db -U app; do
  echo "waiting for the database"
  sleep 1
done
exec "$@"
