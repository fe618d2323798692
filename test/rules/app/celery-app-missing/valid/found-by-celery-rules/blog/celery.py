from celery import Celery

app = Celery("blog")
