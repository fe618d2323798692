#!/bin/bash
set -euo pipefail
exec "$@"
