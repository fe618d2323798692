from celery import shared_task


@shared_task
def publish(post_id: int) -> None:
    print("publish", post_id)
