"""Describes the machine a benchmark ran on, without naming any file
system path: CPU model, cores, memory, kernel, compilers and tools.

usage: machine.py --cc CC [--out FILE]
"""
import argparse
import os
import platform
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def first_line(cmd):
    if not shutil.which(cmd[0]):
        return None
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = r.stdout.strip().splitlines()
    return lines[0].strip() if lines else None


def proc_field(path, key):
    try:
        with open(path) as f:
            for line in f:
                if line.split(":")[0].strip() == key:
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def read_first(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def describe(cc):
    mem_kb = proc_field("/proc/meminfo", "MemTotal")
    shm_bytes = None
    try:
        st = os.statvfs("/dev/shm")
        shm_bytes = st.f_blocks * st.f_frsize
    except OSError:
        pass
    return {
        "kind": "machine",
        "cpu": proc_field("/proc/cpuinfo", "model name") or platform.processor() or None,
        "cores": os.cpu_count(),
        "memory_bytes": int(mem_kb.split()[0]) * 1024 if mem_kb else None,
        "shm_bytes": shm_bytes,
        "system": platform.system(),
        "kernel": platform.release(),
        "machine": platform.machine(),
        # Transparent huge pages change read bandwidth; worth recording.
        "thp": read_first("/sys/kernel/mm/transparent_hugepage/enabled"),
        "thp_shmem": read_first("/sys/kernel/mm/transparent_hugepage/shmem_enabled"),
        "cc": first_line([cc, "--version"]),
        "gcc": first_line(["gcc", "--version"]),
        "clang": first_line(["clang", "--version"]),
        "hyperfine": first_line(["hyperfine", "--version"]),
        "gnuplot": first_line(["gnuplot", "--version"]),
        "driver_python": common.version(),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--out")
    args = ap.parse_args()
    common.write_json(describe(args.cc), args.out)


if __name__ == "__main__":
    main()
