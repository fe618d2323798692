#!/bin/sh
set -e
if [ "$APP_ENV" = "production" ]; then
  bash -c 'ulimit -n 65536'
  exec gunicorn app:app --bind 0.0.0.0:8000
else
  exec flask run --host 0.0.0.0 --debug
fi
