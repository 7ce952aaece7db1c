# Shared by the action's steps (sourced): outputs and failures.

# A value may hold new lines: write it with a delimiter it cannot contain.
set_output() {
  local delimiter="portolan_$RANDOM$RANDOM$RANDOM"
  printf '%s<<%s\n%s\n%s\n' "$1" "$delimiter" "$2" "$delimiter" >> "$GITHUB_OUTPUT"
}

# A failed step still says its status (exit-code): 2 for input, 70 for the runner.
fail() {
  echo "::error title=Portolan::$2"
  set_output exit-code "$1"
  exit "$1"
}
