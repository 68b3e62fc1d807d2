"""The baseline: what the Temporal server itself sustains on this machine. A trivial workflow calls three
no-op async activities (regular activities, not local ones, so each costs what a real activity's
scheduling costs); an in-process worker on its own task queue runs them; `run_bare` starts M of them
with concurrency C and reports completed workflows per second. `bench.run` compares the platform's
end-to-end rate against it; `python -m bench.bare --address HOST:PORT` runs it alone."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

ACTIVITY_TIMEOUT = timedelta(seconds=30)


@activity.defn(name="bench_bare_step_one")
async def step_one(n: int) -> int:
    return n + 1


@activity.defn(name="bench_bare_step_two")
async def step_two(n: int) -> int:
    return n + 1


@activity.defn(name="bench_bare_step_three")
async def step_three(n: int) -> int:
    return n + 1


@workflow.defn(name="BenchBareWorkflow")
class BareWorkflow:
    @workflow.run
    async def run(self, n: int) -> int:
        n = await workflow.execute_activity(step_one, n, start_to_close_timeout=ACTIVITY_TIMEOUT)
        n = await workflow.execute_activity(step_two, n, start_to_close_timeout=ACTIVITY_TIMEOUT)
        return await workflow.execute_activity(step_three, n, start_to_close_timeout=ACTIVITY_TIMEOUT)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of the values, or None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-len(ordered) * q // 100)))
    return ordered[int(rank) - 1]


async def run_bare(
    address: str, n: int, concurrency: int, timeout: float = 180.0, namespace: str = "default", warmup: int = 5
) -> dict:
    """Start `n` bare workflows, at most `concurrency` in flight, and wait for each to complete. The
    clock starts after `warmup` untimed ones (the worker's first workflow task loads the sandbox)."""
    # Sealed like every production payload, so the bench pays what production pays. Imported here: this
    # module holds a workflow, and the sandbox re-imports it without the codec's cryptography.
    from workflows import codec

    client = await Client.connect(address, namespace=namespace, data_converter=codec.data_converter())
    task_queue = f"bench-bare-{uuid.uuid4().hex[:12]}"
    run_id = uuid.uuid4().hex[:8]
    sem = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    errors: list[str] = []

    async def one(i: int, timed: bool = True) -> None:
        async with sem:
            t0 = time.perf_counter()
            try:
                result = await asyncio.wait_for(
                    client.execute_workflow(
                        BareWorkflow.run,
                        i,
                        id=f"bench-bare-{run_id}-{i}",
                        task_queue=task_queue,
                        execution_timeout=timedelta(seconds=timeout),
                    ),
                    timeout=timeout,
                )
                if result != i + 3:
                    raise RuntimeError(f"unexpected result {result!r}")
                if timed:
                    latencies.append(time.perf_counter() - t0)
            except Exception as err:  # recorded, the rate counts completed workflows only
                errors.append(f"{type(err).__name__}: {err}")

    async with Worker(
        client, task_queue=task_queue, workflows=[BareWorkflow], activities=[step_one, step_two, step_three]
    ):
        await asyncio.gather(*(one(-1 - i, timed=False) for i in range(warmup)))
        errors.clear()
        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        elapsed = time.perf_counter() - start
    done = len(latencies)
    return {
        "workflows": n,
        "warmup": warmup,
        "completed": done,
        "concurrency": concurrency,
        "activities_per_workflow": 3,
        "elapsed_s": round(elapsed, 3),
        "workflows_per_s": round(done / elapsed, 2) if elapsed > 0 else None,
        "latency_p50_ms": _ms(percentile(latencies, 50)),
        "latency_p99_ms": _ms(percentile(latencies, 99)),
        "errors": len(errors),
        "error_samples": errors[:5],
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--address", default="127.0.0.1:7233")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run_bare(args.address, args.n, args.concurrency)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
