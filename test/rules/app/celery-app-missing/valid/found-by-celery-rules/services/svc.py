from celery import Celery

worker_app = Celery("svc")
