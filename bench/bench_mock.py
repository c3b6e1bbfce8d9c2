"""A bounded load run of `genspec mock` on 127.0.0.1, driven by the generated AsyncClient.

Run: python bench/bench_mock.py [--clients 20] [--seconds 10] [--failure-rate 0]

Starts the real command in a subprocess, then `--clients` concurrent clients each loop
create_generation + get_generation for `--seconds`. Prints requests per second, p50/p99 latency
of one call (retries included) and lost calls (any exception; goal: none), and the mock's peak
resident memory (goal: bounded, it keeps at most 10,000 generations).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import selectors
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import leonardo_generations as lg

KEY = "bench-key"
BODY = {"prompt": "A lighthouse at dusk", "num_images": 1, "width": 512, "height": 512}


def start_mock(*options: str) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "genspec", "mock", "--port", "0", "--api-key", KEY]
    process = subprocess.Popen(
        [*command, *options], stdout=subprocess.PIPE, text=True, env=os.environ
    )
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=30):
            process.kill()
            raise SystemExit("genspec mock did not start")
    return process, process.stdout.readline().split(" on ", 1)[1].split()[0]


def peak_memory_kib(pid: int) -> int | None:
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


async def load(url: str, clients: int, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    lost = 0
    stop = time.monotonic() + seconds

    async def one_client() -> None:
        nonlocal lost
        async with lg.AsyncClient(KEY, base_url=url, backoff=0.05, max_retries=5) as client:
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    job = (await client.create_generation(BODY)).sd_generation_job
                    assert job is not None
                    latencies.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    await client.get_generation(job.generation_id)
                    latencies.append(time.perf_counter() - started)
                except lg.LeonardoError:
                    lost += 1

    await asyncio.gather(*(one_client() for _ in range(clients)))
    return latencies, lost


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--failure-rate", default="0")
    args = parser.parse_args(argv)
    process, url = start_mock("--failure-rate", args.failure_rate, "--retry-after", "0")
    try:
        started = time.monotonic()
        latencies, lost = asyncio.run(load(url, args.clients, args.seconds))
        elapsed = time.monotonic() - started
        memory = peak_memory_kib(process.pid)
    finally:
        process.terminate()
        process.wait(10)
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"{args.clients} clients, {elapsed:.1f} s, failure rate {args.failure_rate}")
    print(f"requests/s: {len(latencies) / elapsed:.0f} ({len(latencies)} answered calls)")
    print(f"latency p50: {quantiles[49] * 1000:.1f} ms, p99: {quantiles[98] * 1000:.1f} ms")
    print(f"lost calls: {lost} (goal: 0)")
    if memory is not None:
        print(f"mock peak memory: {memory / 1024:.0f} MiB")
    return 1 if lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
