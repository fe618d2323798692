#!/bin/bash
python manage.py collectstatic --noinput
python manage.py migrate --noinput
gunicorn site_app.wsgi:application -b 0.0.0.0:8000
