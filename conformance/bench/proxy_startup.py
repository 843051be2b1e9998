"""Start-up of cognito-proxy with its embedded emulator, to the first answer on its port.

Starts the binary N times on free loopback ports and times exec to the first HTTP answer of
POST / (any status: the server answered). Prints each run and the median; asserts nothing.

    python3 conformance/bench/proxy_startup.py target/release/cognito-proxy [runs=5]
"""

import http.client
import socket
import statistics
import subprocess
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_answer(port, began, limit=10.0):
    while time.perf_counter() - began < limit:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("POST", "/", body='{"env": "ping"}', headers={"Content-Type": "application/json"})
            connection.getresponse().read()
            return time.perf_counter() - began
        except OSError:
            time.sleep(0.0005)
    raise SystemExit(f"no answer on {port} within {limit} s")


def main():
    binary = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    times = []
    for run in range(1, runs + 1):
        port, emulator_port = free_port(), free_port()
        began = time.perf_counter()
        process = subprocess.Popen([binary, "--port", str(port), "--emulator-port", str(emulator_port), "--log", "warn"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            elapsed = first_answer(port, began)
        finally:
            process.terminate()
            process.wait()
        times.append(elapsed * 1000)
        print(f"start {run}: first answer after {elapsed * 1000:.1f} ms")
    print(f"median {statistics.median(times):.1f} ms (min {min(times):.1f}, max {max(times):.1f}) over {runs} starts")


if __name__ == "__main__":
    main()
