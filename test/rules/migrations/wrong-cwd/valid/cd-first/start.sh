#!/bin/sh
set -e
cd /srv/backend
alembic upgrade head
exec gunicorn app.main:app -b 0.0.0.0:8000
