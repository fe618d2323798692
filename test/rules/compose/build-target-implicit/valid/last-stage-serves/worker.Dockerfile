FROM python:3.12-slim AS base
EXPOSE 8000
CMD ["gunicorn", "app.main:app"]

FROM base AS worker
CMD ["celery", "-A", "app.tasks", "worker"]
