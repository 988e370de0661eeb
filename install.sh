#!/usr/bin/env bash
# Installs `fluidsim` once, so every later command starts in a fraction of a second (issue 12): a ReadyToRun,
# framework-dependent publish of src/FluidSim.Cli into ~/.local/share/fluidsim, and a link ~/.local/bin/fluidsim.
#
# Usage: ./install.sh [--force]     install or update (skipped when the installed build is of this very tree)
#        ./install.sh --uninstall   remove the folder and the link (results, data and sweeps are never touched)
# Environment: FLUIDSIM_HOME (default ~/.local/share/fluidsim), FLUIDSIM_BIN (default ~/.local/bin).
#
# Idempotent: the build is published into a temporary folder beside the target and swapped in only when complete, so an
# interrupted install leaves the previous one working; running it again on an unchanged tree does nothing.
set -euo pipefail

home=${FLUIDSIM_HOME:-$HOME/.local/share/fluidsim}
bin=${FLUIDSIM_BIN:-$HOME/.local/bin}
link=$bin/fluidsim
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

force=false
case "${1:-}" in
  "") ;;
  --force) force=true ;;
  --uninstall)
    # Only what this script made: the link when it points into the install folder, and that folder.
    if [ -L "$link" ] && [ "$(readlink "$link")" = "$home/fluidsim" ]; then rm -f "$link"; fi
    rm -rf "$home" "$home".tmp-*
    echo "fluidsim: uninstalled ($home, $link)"
    exit 0 ;;
  -h|--help) usage; exit 0 ;;
  *) echo "install.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
esac

command -v dotnet >/dev/null || { echo "install.sh: the .NET 10 SDK is missing (dotnet not on PATH)" >&2; exit 1; }

# What is being installed: the committed sources (tree ids, so a commit that touches only docs changes nothing), plus a
# digest of uncommitted changes to tracked and new files under them.
stamp=$(cd "$repo" && {
  git rev-parse HEAD:src HEAD:Directory.Build.props HEAD:Directory.Packages.props 2>/dev/null || echo no-git
  git status --porcelain --untracked-files=normal -- src Directory.Build.props Directory.Packages.props 2>/dev/null
  git diff HEAD -- src Directory.Build.props Directory.Packages.props 2>/dev/null
} | sha256sum | cut -c1-16)

if ! $force && [ -x "$home/fluidsim" ] && [ "$(cat "$home/.install-stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "fluidsim: already installed from this tree ($home); --force rebuilds"
else
  staging=$home.tmp-$$
  trap 'rm -rf "$staging"' EXIT
  mkdir -p "$(dirname "$home")"
  echo "fluidsim: publishing src/FluidSim.Cli (Release, ReadyToRun) into $home; one to four minutes" >&2
  dotnet publish "$repo/src/FluidSim.Cli" -c Release -o "$staging" --nologo -v quiet -clp:ErrorsOnly >&2
  echo "$stamp" > "$staging/.install-stamp"
  # Swap in the complete build: the previous one keeps working until this point.
  rm -rf "$home.old"
  if [ -e "$home" ]; then mv "$home" "$home.old"; fi
  mv "$staging" "$home"
  rm -rf "$home.old"
  trap - EXIT
fi

mkdir -p "$bin"
ln -sfn "$home/fluidsim" "$link"
echo "fluidsim: $link -> $home/fluidsim ($("$link" --version))"
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "fluidsim: $bin is not on PATH; add it, e.g.: echo 'export PATH=\"$bin:\$PATH\"' >> ~/.bashrc" >&2 ;;
esac
