#!/usr/bin/env python3
"""Runs Vigil (and htop, when installed) in a pseudo-terminal of a fixed size for a while and
reports the bytes per second it wrote to the terminal and its CPU use.

    scripts/pty-bench.py [--vigil PATH] [--seconds 30] [--sizes 120x40,200x60] [--fps 4,1]

Each run: a new pty of the size, TERM=xterm-256color, LANG=C.UTF-8, no SSH_CONNECTION; the
program's output is read and counted (the first 3 seconds, the start-up paint, are reported
apart from the steady state); at the end SIGTERM, and the child's user+system CPU time from
wait4(). Bytes/s and CPU% are per wall second of the steady state. Nothing is sent to the
program's input. Results go to standard output as a Markdown table.
"""
import argparse
import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import sys
import termios
import time

WARMUP = 3.0


def run(argv, cols, rows, seconds):
    pid, fd = pty.fork()
    if pid == 0:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "COLUMNS": str(cols),
            "LINES": str(rows),
        }
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    start = time.monotonic()
    warm_bytes = 0
    steady_bytes = 0
    cpu0 = None
    end = start + WARMUP + seconds
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if cpu0 is None and now - start >= WARMUP:
            cpu0 = cpu_seconds(pid)
        ready, _, _ = select.select([fd], [], [], min(0.2, end - now))
        if not ready:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        if now - start < WARMUP:
            warm_bytes += len(data)
        else:
            steady_bytes += len(data)
    # CPU of the steady state, from /proc (before SIGTERM, so the shutdown is not counted).
    cpu1 = cpu_seconds(pid)
    cpu = None if cpu0 is None or cpu1 is None else cpu1 - cpu0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if not select.select([fd], [], [], 0.1)[0]:
                done, _ = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                continue
            if not os.read(fd, 65536):
                break
        except OSError:
            break
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(fd)
    return {
        "startup": warm_bytes,
        "bytes_per_s": steady_bytes / seconds,
        "cpu_pct": None if cpu is None else 100.0 * cpu / seconds,
    }


def cpu_seconds(pid):
    """utime+stime of `pid` in seconds, from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks
    except (OSError, IndexError, ValueError):
        return None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vigil", default=os.path.join(here, "..", ".build", "release", "vigil"))
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--sizes", default="120x40,200x60")
    ap.add_argument("--fps", default="4,1")
    ap.add_argument("--no-htop", action="store_true")
    args = ap.parse_args()
    if not os.path.exists(args.vigil):
        sys.exit(f"{args.vigil}: not built (swift build -c release)")
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    programs = []
    for fps in args.fps.split(","):
        programs.append((f"vigil demo, {fps} fps", [args.vigil, "--fps", fps]))
    htop = shutil.which("htop")
    if htop and not args.no_htop:
        programs.append(("htop (default, 1.5 s delay)", [htop]))
        programs.append(("htop -d 10 (1 s)", [htop, "-d", "10"]))
    print(f"{args.seconds:g} s steady state after {WARMUP:g} s of start-up, TERM=xterm-256color")
    print()
    print("| program | size | start-up bytes | bytes/s | CPU % |")
    print("| --- | --- | ---: | ---: | ---: |")
    for cols, rows in sizes:
        for name, argv in programs:
            r = run(argv, cols, rows, args.seconds)
            cpu = "n/a" if r["cpu_pct"] is None else f"{r['cpu_pct']:.1f}"
            print(f"| {name} | {cols}x{rows} | {r['startup']} | {r['bytes_per_s']:.0f} | {cpu} |",
                  flush=True)
    if not htop and not args.no_htop:
        print("\nhtop is not installed (apt-get install htop): no comparison.")


if __name__ == "__main__":
    main()
