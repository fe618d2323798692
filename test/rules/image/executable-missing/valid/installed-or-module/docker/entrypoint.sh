#!/bin/sh
set -e
if [ "$WAIT_FOR_DB" = "1" ]; then
  until pg_isready -h db; do sleep 1; done
fi
if command -v curl >/dev/null 2>&1; then
  curl -fsS http://config/ > /tmp/config.json
fi
exec "$@"
