FROM python:3.12-slim AS deps
RUN pip install celery

FROM deps AS beat
CMD ["celery", "-A", "app.tasks", "beat"]
