#!/bin/sh
set -eu
# Migrations run in the one-shot `migrate` service; this only starts the given command.
exec "$@"
