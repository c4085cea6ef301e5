#!/bin/sh
# `manyi`: the version the board runs (its current update slot), else the packaged one.
dir=/opt/manyi/current
[ -f "$dir/firmware/bin/manyi.mjs" ] || dir=/usr/lib/manyi
exec /usr/bin/node "$dir/firmware/bin/manyi.mjs" "$@"
