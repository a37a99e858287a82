#!/usr/bin/env bash
# Give this machine a real capture device for the recorder tests: a PulseAudio
# daemon with a null sink whose monitor is the default source. PortAudio sees it
# through ALSA's `pulse` plugin (libasound2-plugins) as the devices "pulse" and
# "default"; whatever is played into the sink (paplay) is what gets recorded.
#
# Idempotent: installs only missing packages, starts the daemon only if it does
# not answer, loads the sink only once. Prints what it did.
#
# Clients find the daemon through PULSE_SERVER=unix:$MINUTES_PULSE_DIR/native
# (default /tmp/minutes-pulse); the tests set that themselves when the socket exists.
set -euo pipefail

PULSE_DIR="${MINUTES_PULSE_DIR:-/tmp/minutes-pulse}"
SINK="minutes_null"
PACKAGES="pulseaudio pulseaudio-utils libasound2-plugins libportaudio2"
export PULSE_SERVER="unix:$PULSE_DIR/native"

say() { echo "ci_audio: $*"; }

missing=""
for p in $PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  say "installing Debian packages:$missing"
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  say "packages present ($PACKAGES)"
fi

if pactl info >/dev/null 2>&1; then
  say "PulseAudio already answers at $PULSE_SERVER"
else
  mkdir -p "$PULSE_DIR"
  chmod 700 "$PULSE_DIR"
  rm -f "$PULSE_DIR/native" "$PULSE_DIR/pulse/pid"
  # -n: no default.pa (no hardware probing, no suspend-on-idle); as root PulseAudio
  # warns but runs in per-user mode with --system=false. Its runtime dir (pid file)
  # is $PULSE_DIR as well, so nothing collides with a desktop session's daemon.
  XDG_RUNTIME_DIR="$PULSE_DIR" HOME="$PULSE_DIR" pulseaudio -D -n --system=false \
    --exit-idle-time=-1 --disallow-exit --use-pid-file=yes --log-target="file:$PULSE_DIR/log" \
    --load="module-native-protocol-unix socket=$PULSE_DIR/native auth-anonymous=1"
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  pactl info >/dev/null 2>&1 || {
    say "PulseAudio did not start; log:"
    cat "$PULSE_DIR/log" >&2 || true
    exit 1
  }
  say "started PulseAudio (pid $(cat "$PULSE_DIR/pulse/pid" 2>/dev/null || echo ?)) at $PULSE_SERVER"
fi

sinks="$(pactl list short sinks)"
if grep -q "^[0-9]*[[:space:]]$SINK[[:space:]]" <<<"$sinks"; then
  say "null sink $SINK already loaded"
else
  pactl load-module module-null-sink "sink_name=$SINK" rate=48000 channels=2 \
    "sink_properties=device.description=minutes-null" >/dev/null
  say "loaded null sink $SINK"
fi
pactl set-default-sink "$SINK"
pactl set-default-source "$SINK.monitor"
pactl set-sink-volume "$SINK" 100% || true
pactl set-source-volume "$SINK.monitor" 100% || true
say "default source: $SINK.monitor"

# An idle null sink renders in ~2 s steps, so a new capture stream would get its
# first block only after up to 2 s. A low-latency stream of zeros keeps the sink
# ticking every few ms (mixing in zeros changes nothing that tests play).
KEEPER_PID="$PULSE_DIR/keeper.pid"
if [ -s "$KEEPER_PID" ] && grep -qs pacat "/proc/$(cat "$KEEPER_PID")/cmdline"; then
  say "keep-alive stream already running (pid $(cat "$KEEPER_PID"))"
else
  setsid pacat --playback --device="$SINK" --latency-msec=30 --rate=48000 --channels=2 \
    --client-name=minutes-keepalive /dev/zero </dev/null >/dev/null 2>&1 &
  echo $! >"$KEEPER_PID"
  say "started keep-alive stream of zeros into $SINK (pid $(cat "$KEEPER_PID"))"
fi

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  REPO="$(cd "$(dirname "$0")/.." && pwd)"
  if [ -x "$REPO/.venv/bin/python" ]; then PY="$REPO/.venv/bin/python"; else PY=python3; fi
fi
if "$PY" -c "import sounddevice" 2>/dev/null; then
  "$PY" - <<'EOF'
import sounddevice as sd

devices = [d for d in sd.query_devices() if d["max_input_channels"] > 0]
print("ci_audio: PortAudio input devices:", ", ".join(d["name"] for d in devices) or "NONE")
if not devices:
    raise SystemExit("ci_audio: PortAudio sees no input device")
EOF
else
  say "($PY has no sounddevice yet; PortAudio check skipped)"
fi
say "export PULSE_SERVER=$PULSE_SERVER"
