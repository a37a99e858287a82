#!/usr/bin/env bash
# Compile packaging/windows/minutes-app.nsi with makensis (Debian package nsis) against a staged
# stand-in of the Windows one-folder app. PyInstaller cannot cross-build the Windows app on
# Linux; this proves that the installer script, its options and the uninstaller compile.
#   DISTDIR=...  stage to pack instead of the stand-in (e.g. a copied Windows dist\minutes-app)
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=$(python3 -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")
OUT=build/nsis
mkdir -p "$OUT"
if [ -z "${DISTDIR:-}" ]; then
  DISTDIR=$OUT/stage/minutes-app
  rm -rf "$OUT/stage"
  mkdir -p "$DISTDIR/_internal/prompts" "$DISTDIR/_internal/resources"
  printf 'MZ stand-in for the PyInstaller console exe\n' > "$DISTDIR/minutes-app.exe"
  printf 'MZ stand-in for the PyInstaller windowed exe\n' > "$DISTDIR/minutes-app-gui.exe"
  cp -r prompts/v1 "$DISTDIR/_internal/prompts/"
  cp resources/examples/README.md "$DISTDIR/_internal/resources/"
fi
DISTDIR=$(cd "$DISTDIR" && pwd)
SETUP=$PWD/$OUT/minutes-app-$VERSION-setup.exe
rm -f "$SETUP"
makensis -V2 -WX -DVERSION="$VERSION" -DDISTDIR="$DISTDIR" -DOUTFILE="$SETUP" packaging/windows/minutes-app.nsi
test "$(head -c 2 "$SETUP")" = "MZ"
grep -q "Nullsoft" "$SETUP"
echo "installer: $SETUP ($(du -k "$SETUP" | cut -f1) KB)"
