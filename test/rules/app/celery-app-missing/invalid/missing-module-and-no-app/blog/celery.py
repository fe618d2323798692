from celery import Celery

app = Celery("blog")
app.autodiscover_tasks()
