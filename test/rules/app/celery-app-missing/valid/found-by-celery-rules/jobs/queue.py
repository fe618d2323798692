import celery as celery_lib

celery_app = celery_lib.Celery("jobs")
