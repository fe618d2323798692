#!/bin/sh
set -e
mkdir -p logs
exec "$@"
