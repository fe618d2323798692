from celery import Celery

app = Celery("shop", broker="redis://redis:6379/0")


@app.task
def send_receipt(order_id: int) -> None:
    print("receipt", order_id)
