#!/bin/sh
set -e
. /opt/venv/bin/activate
exec gunicorn app:app --bind 0.0.0.0:8000
