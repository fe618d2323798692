#!/bin/sh
set -e
mkdir -p /srv/logs
exec "$@"
