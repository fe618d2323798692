import logging
import os

from .settings import settings

logging.basicConfig(level=os.getenv("SHOP_LOG_LEVEL", "INFO"))
