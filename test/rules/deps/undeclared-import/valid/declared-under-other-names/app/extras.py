import tomllib
from typing import TYPE_CHECKING

from .settings import SECRET

try:
    import ujson as json
except ImportError:
    import json

if TYPE_CHECKING:
    import boto3


def load(path: str) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f) | json.loads("{}") | {"secret": SECRET}
