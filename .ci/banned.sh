#!/usr/bin/env bash
# Fails when C sources call a banned function (curl's list, scaled down).
cd "$(dirname "$0")/.."
banned='\b(gets|strcpy|strcat|sprintf|vsprintf|atoi|atol|strtok|alloca)[[:space:]]*\('
if grep -rnE "$banned" --include='*.c' --include='*.h' lib src tests fuzz bench 2>/dev/null \
        | grep -vE '^\S+:[0-9]+:\s*(/\*|\*|//)'; then
    echo "banned function used (see above)" >&2
    exit 1
fi
echo "no banned functions"
