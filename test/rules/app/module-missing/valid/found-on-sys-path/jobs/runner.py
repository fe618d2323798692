print("namespace package: no __init__.py, still importable")
