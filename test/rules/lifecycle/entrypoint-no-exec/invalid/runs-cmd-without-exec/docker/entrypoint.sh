#!/bin/sh
set -e
"$@"
