#!/bin/sh
exec python -m flask run
