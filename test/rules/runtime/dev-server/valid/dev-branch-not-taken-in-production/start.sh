#!/bin/sh
set -e
if [ "$APP_ENV" = "development" ]; then
  exec flask run --host 0.0.0.0 --port 8000 --debug
else
  exec gunicorn -b 0.0.0.0:8000 app:app
fi
