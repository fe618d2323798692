#!/bin/sh
celery -A app.tasks worker
