bind = "0.0.0.0:8000"
pythonpath = "src"
