"""The fixture's start-up: CognitoEmulator() to its first answer, N times; prints the figures
and asserts nothing (README "From Python", targets). Run with the wheel's environment:
``python python/bench_startup.py [N=10]``."""

import statistics
import sys
import time

from cognito_emulator import CognitoEmulator


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        with CognitoEmulator() as emulator:
            emulator.now()  # the first answer, after start() has seen one already
            times.append((time.perf_counter() - began) * 1000)
    times.sort()
    print(f"CognitoEmulator start to first answer: median {statistics.median(times):.1f} ms "
          f"(min {times[0]:.1f}, max {times[-1]:.1f}) over {runs} starts")


if __name__ == "__main__":
    main()
