#!/usr/bin/env bash
# Runs thumbs for the thumbs GitHub Action (action.yml) with the action's
# inputs, which come in the environment so that no input is ever parsed as
# shell code: THUMBS_PATHS (one path per line), THUMBS_OUT, THUMBS_SIZES,
# THUMBS_FORMAT, THUMBS_QUALITY, THUMBS_SHARD, THUMBS_CHECK ("true": thumbs
# check) and THUMBS_ARGS (more flags, split on whitespace). Empty inputs
# leave thumbs' defaults. It exits with thumbs' status.
set -euo pipefail

if [ "${THUMBS_CHECK:-false}" = true ]; then
  cmd=(thumbs check)
else
  cmd=(thumbs resize)
fi
[ -z "${THUMBS_OUT:-}" ] || cmd+=(-o "$THUMBS_OUT")
[ -z "${THUMBS_SIZES:-}" ] || cmd+=(-s "$THUMBS_SIZES")
[ -z "${THUMBS_FORMAT:-}" ] || cmd+=(-f "$THUMBS_FORMAT")
[ -z "${THUMBS_QUALITY:-}" ] || cmd+=(-q "$THUMBS_QUALITY")
[ -z "${THUMBS_SHARD:-}" ] || cmd+=(--shard "$THUMBS_SHARD")
set -f # split the extra flags on whitespace without expanding globs
# shellcheck disable=SC2206
cmd+=(${THUMBS_ARGS:-})
set +f

paths=()
while IFS= read -r path || [ -n "$path" ]; do
  path=${path%$'\r'}
  [ -z "$path" ] || paths+=("$path")
done <<<"${THUMBS_PATHS:-}"
if [ ${#paths[@]} -eq 0 ]; then
  echo "::error::the paths input names no file or directory"
  exit 2
fi
# -- ends the flags: a path that starts with "-" stays a path.
cmd+=(-- "${paths[@]}")

echo "${cmd[*]}"
exec "${cmd[@]}"
