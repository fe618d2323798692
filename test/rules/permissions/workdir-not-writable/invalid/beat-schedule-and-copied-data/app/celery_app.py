import os

from celery import Celery

app = Celery("tasks", broker=os.environ["BROKER_URL"])
app.conf.beat_schedule = {"ping": {"task": "tasks.ping", "schedule": 60.0}}
