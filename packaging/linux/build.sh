#!/usr/bin/env bash
# Linux build: the PyInstaller one-folder app (dist/minutes-app/) and a .deb
# (dist/minutes-app_<version>_amd64.deb). Called by `make package`; see docs/admin.md.
#
#   PYTHON=.venv/bin/python   interpreter whose site-packages are frozen (the dev venv)
#   SKIP_DEB=1                only the one-folder app
#   DEB_ONLY=1                only the .deb, from an existing dist/minutes-app/
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-.venv/bin/python}
VERSION=$("$PYTHON" -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
DIST=dist/minutes-app
START=$(date +%s)

if [ "${DEB_ONLY:-0}" != 1 ]; then
  echo "== PyInstaller (minutes-app $VERSION)"
  "$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/minutes-app.spec
fi
BUILT=$(date +%s)

# Smoke test: the frozen CLI starts and finds its bundled data.
"$DIST/minutes-app" --help >/dev/null
test -d "$DIST/_internal/prompts/v1"
test -f "$DIST/_internal/resources/examples/beispielsitzung.ogg"
SIZE_MB=$(du -sm "$DIST" | cut -f1)
echo "one-folder app: $DIST (${SIZE_MB} MB, $((BUILT - START)) s)"
if [ "${DEB_ONLY:-0}" != 1 ]; then
  echo "{\"version\": \"$VERSION\", \"build_seconds\": $((BUILT - START)), \"size_mb\": $SIZE_MB}" \
    > dist/build-info.json
fi

[ "${SKIP_DEB:-0}" = 1 ] && exit 0

echo "== .deb"
PKG=build/deb/minutes-app_${VERSION}_${ARCH}
rm -rf "$PKG"
mkdir -p "$PKG/DEBIAN" "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" \
  "$PKG/usr/share/icons/hicolor/scalable/apps" "$PKG/usr/share/doc/minutes-app"
cp -a "$DIST" "$PKG/opt/minutes-app"
ln -s /opt/minutes-app/minutes-app "$PKG/usr/bin/minutes-app"
ln -s /opt/minutes-app/minutes-app-gui "$PKG/usr/bin/minutes-app-gui"
install -m 0644 packaging/linux/minutes-app.desktop "$PKG/usr/share/applications/minutes-app.desktop"
install -m 0644 packaging/minutes-app.svg "$PKG/usr/share/icons/hicolor/scalable/apps/minutes-app.svg"
install -m 0644 packaging/settings.example.json "$PKG/usr/share/doc/minutes-app/settings.example.json"
install -m 0644 docs/admin.md "$PKG/usr/share/doc/minutes-app/admin.md"
INSTALLED_KB=$(du -sk "$PKG" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$INSTALLED_KB/" \
  packaging/linux/control.in > "$PKG/DEBIAN/control"
install -m 0755 packaging/linux/postinst "$PKG/DEBIAN/postinst"
install -m 0755 packaging/linux/postrm "$PKG/DEBIAN/postrm"
# zstd: several times faster than xz on a 1+ GB payload, supported by dpkg >= 1.21.18 (Debian 12).
dpkg-deb --root-owner-group -Zzstd -z9 --build "$PKG" "dist/minutes-app_${VERSION}_${ARCH}.deb" >/dev/null
DONE=$(date +%s)
DEB_MB=$(du -sm "dist/minutes-app_${VERSION}_${ARCH}.deb" | cut -f1)
echo "deb: dist/minutes-app_${VERSION}_${ARCH}.deb (${DEB_MB} MB, $((DONE - BUILT)) s)"
"$PYTHON" - "$DEB_MB" "$((DONE - BUILT))" "dist/minutes-app_${VERSION}_${ARCH}.deb" <<'PY'
import json, sys
from pathlib import Path
info_path = Path("dist/build-info.json")
info = json.loads(info_path.read_text()) if info_path.is_file() else {}
info.update({"deb": sys.argv[3], "deb_mb": int(sys.argv[1]), "deb_seconds": int(sys.argv[2])})
info_path.write_text(json.dumps(info) + "\n")
PY
