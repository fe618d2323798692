#!/bin/sh
set -e
alembic upgrade head
exec gunicorn --chdir /srv/backend app.main:app -b 0.0.0.0:8000
