"""A closed queueing system simulated event by event: the machine-repairman model with a
serialized section, for the latency-model tests.

N users each think for an exponential time (mean ``think_ms``), then send a request. The
request first does parallel work (exponential, mean ``parallel_ms``; every request at once,
no queue), then enters the serialized section: one server, first come first served,
exponential service (mean ``serial_ms``), like a lock or a primary database. Its response
time is the time from sending to leaving the serialized section; then the user thinks
again. ``simulate`` returns the measured throughput (requests/s) and response times (ms)
after a warm-up; ``mva`` the exact mean response time and throughput by mean-value
analysis (Reiser and Lavenberg), the truth the mean is checked against.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Run:
    users: int
    throughput: float  # requests per second
    response_ms: np.ndarray

    def stat(self, name: str) -> float:
        if name == "mean":
            return float(self.response_ms.mean())
        return float(np.percentile(self.response_ms, float(name[1:])))


def simulate(users: int, think_ms: float, parallel_ms: float, serial_ms: float,
             requests: int, seed: int, warmup: float = 0.1) -> Run:  # fmt: skip
    """Simulate until ``requests`` responses (after a warm-up share) are recorded."""
    rng = np.random.default_rng(seed)
    total = int(requests / (1.0 - warmup)) + users
    think = iter(rng.exponential(think_ms, total + users).tolist())
    parallel = iter(rng.exponential(parallel_ms, total + users).tolist())
    serial = iter(rng.exponential(serial_ms, total + users).tolist())
    events: list[tuple[float, int, int, int]] = []  # (time, seq, kind, user)
    seq = 0
    for user in range(users):
        events.append((next(think), seq, 0, user))
        seq += 1
    heapq.heapify(events)
    sent = [0.0] * users
    waiting: deque[int] = deque()
    busy = False
    done_times: list[float] = []
    responses: list[float] = []
    while len(responses) < total:
        t, _, kind, user = heapq.heappop(events)
        if kind == 0:  # the user sends a request: parallel work first
            sent[user] = t
            heapq.heappush(events, (t + next(parallel), seq, 1, user))
        elif kind == 1:  # reaches the serialized section
            if busy:
                waiting.append(user)
            else:
                busy = True
                heapq.heappush(events, (t + next(serial), seq, 2, user))
        else:  # leaves it: response complete, the user thinks again
            responses.append(t - sent[user])
            done_times.append(t)
            heapq.heappush(events, (t + next(think), seq, 0, user))
            if waiting:
                heapq.heappush(events, (t + next(serial), seq, 2, waiting.popleft()))
            else:
                busy = False
        seq += 1
    skip = total - requests
    span_s = (done_times[-1] - done_times[skip - 1]) / 1000.0
    return Run(users, requests / span_s, np.asarray(responses[skip:]))


def mva(users: int, think_ms: float, parallel_ms: float, serial_ms: float) -> tuple[float, float]:
    """Exact (mean response time ms, throughput per second) of the closed model."""
    queue = 0.0
    response = parallel_ms + serial_ms
    throughput = 0.0
    for n in range(1, users + 1):
        wait_serial = serial_ms * (1.0 + queue)
        response = parallel_ms + wait_serial
        throughput = n / (think_ms + response)
        queue = throughput * wait_serial
    return response, 1000.0 * throughput
