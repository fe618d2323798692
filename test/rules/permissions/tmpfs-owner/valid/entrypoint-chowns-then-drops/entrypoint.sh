#!/bin/sh
set -e
chown app /app/cache
exec gosu app "$@"
