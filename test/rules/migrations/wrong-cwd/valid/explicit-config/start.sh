#!/bin/sh
set -e
alembic -c /srv/backend/alembic.ini upgrade head
exec gunicorn --chdir /srv/backend app.main:app -b 0.0.0.0:8000
