#!/usr/bin/env python3
"""Delivery latency, transition to Alertmanager: runs `vigil watch` on the demo with
--alertmanager against a real Alertmanager (started here on a free loopback port), reads each
transition to firing the moment Vigil prints it, and polls Alertmanager's /api/v2/alerts every
5 ms until that instance is listed. Prints each latency and the median and maximum.

Usage: scripts/delivery-latency.py [VIGIL_BINARY] [--speed 40] [--seconds 60]
Needs prometheus-alertmanager (Tests/run.sh installs it)."""
import json, os, socket, subprocess, sys, tempfile, threading, time, urllib.request

args = sys.argv[1:]
vigil = args.pop(0) if args and not args[0].startswith("--") else ".build/release/vigil"
speed = args[args.index("--speed") + 1] if "--speed" in args else "40"
seconds = float(args[args.index("--seconds") + 1]) if "--seconds" in args else 60.0

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

tmp = tempfile.mkdtemp()
port = free_port()
open(f"{tmp}/am.yml", "w").write("route: {receiver: none}\nreceivers: [{name: none}]\n")
am = subprocess.Popen(["prometheus-alertmanager", f"--config.file={tmp}/am.yml",
    f"--storage.path={tmp}/data", f"--web.listen-address=127.0.0.1:{port}",
    "--cluster.listen-address=", "--log.level=warn"], stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{port}"
for _ in range(200):
    try: urllib.request.urlopen(base + "/-/ready", timeout=1); break
    except Exception: time.sleep(0.05)

watch = subprocess.Popen([vigil, "watch", "--speed", speed, "--alertmanager", base,
    "--alert-resend", "1h"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
pending = {}  # frozenset of labels -> time seen
lock = threading.Lock()
def read():
    for line in watch.stdout:
        o = json.loads(line)
        if o.get("to") == "firing":
            labels = dict(o.get("labels", {})); labels["alertname"] = o["rule"]
            with lock: pending[frozenset(labels.items())] = time.monotonic()
threading.Thread(target=read, daemon=True).start()

latencies, end = [], time.monotonic() + seconds
while time.monotonic() < end:
    with lock: waiting = dict(pending)
    if waiting:
        listed = json.load(urllib.request.urlopen(base + "/api/v2/alerts"))
        now = time.monotonic()
        for a in listed:
            key = frozenset(a["labels"].items())
            if key in waiting:
                latencies.append((now - waiting[key]) * 1000)
                with lock: pending.pop(key, None)
    time.sleep(0.005)
watch.terminate(); am.terminate()
# History (the demo's prelude) is not delivered: only live firings are waited for and counted.
latencies.sort()
for l in latencies: print(f"{l:.1f} ms")
if latencies:
    print(f"{len(latencies)} alerts: median {latencies[len(latencies)//2]:.1f} ms, "
          f"max {latencies[-1]:.1f} ms; {len(pending)} firings never listed (history is not delivered)")
