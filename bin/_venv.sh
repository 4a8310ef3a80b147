# Shared by bin/run and bin/test: create the virtualenv and install the project
# when pyproject.toml changed since the last install. Sourced, not executed.
# SCPLN_VENV picks another virtualenv folder than .venv (the fresh-install
# test starts bin/run on a new one with the runtime dependencies only).
ensure_venv() {
  local extras="$1" stamp
  local py="${PYTHON:-python3}"
  local venv="${SCPLN_VENV:-.venv}"
  if [ ! -x "$venv/bin/python" ]; then
    echo "Creating $venv with $($py --version)"
    "$py" -m venv "$venv"
  fi
  local hash
  hash="$(sha256sum pyproject.toml | cut -c1-16)"
  stamp="$venv/.installed-${extras:-runtime}-$hash"
  # The development install includes the runtime: bin/run after bin/test
  # (as in CI) installs nothing.
  if [ -z "$extras" ] && [ -f "$venv/.installed-dev-$hash" ]; then
    stamp="$venv/.installed-dev-$hash"
  fi
  if [ ! -f "$stamp" ]; then
    echo "Installing scpln${extras:+[$extras]} into $venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet -e ".${extras:+[$extras]}"
    rm -f "$venv"/.installed-"${extras:-runtime}"-*
    touch "$stamp"
  fi
  PATH="$(cd "$venv" && pwd)/bin:$PATH"
  export PATH
}
