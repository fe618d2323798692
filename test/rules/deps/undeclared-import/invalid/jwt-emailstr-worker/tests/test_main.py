import pytest
from fastapi.testclient import TestClient
