"""A retrain yields the CPU to serving: every thread at SCHED_IDLE, on one core, including threads started later."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from services.priority import yield_cpu_to_serving

CHILD = """
import sys, threading, time
threading.Thread(target=time.sleep, args=(30,), daemon=True).start()   # a pool started at import
print("ready", flush=True)
sys.stdin.readline()                                                     # the parent has applied the priority
threading.Thread(target=time.sleep, args=(30,), daemon=True).start()   # a thread started afterwards
print("more", flush=True)
time.sleep(30)
"""


def _threads(pid: int) -> list[int]:
    return [int(name) for name in os.listdir(f"/proc/{pid}/task")]


@pytest.mark.skipif(not hasattr(os, "sched_setscheduler"), reason="SCHED_IDLE is Linux-only")
def test_every_thread_of_a_started_retrain_runs_idle_on_one_core():
    cpus = sorted(os.sched_getaffinity(0))
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        before = _threads(child.pid)
        assert len(before) >= 2 and all(os.sched_getscheduler(t) != os.SCHED_IDLE for t in before)
        yield_cpu_to_serving(child.pid)
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "more"
        deadline = time.monotonic() + 5
        while len(_threads(child.pid)) <= len(before) and time.monotonic() < deadline:
            time.sleep(0.01)
        after = _threads(child.pid)
        assert len(after) > len(before)
        assert all(os.sched_getscheduler(t) == os.SCHED_IDLE for t in after)
        expected = {cpus[-1]} if len(cpus) > 1 else set(cpus)
        assert all(os.sched_getaffinity(t) == expected for t in after)
        assert os.sched_getscheduler(0) != os.SCHED_IDLE, "the caller itself must keep its priority"
    finally:
        child.kill()
        child.wait()


def test_a_retrain_that_already_ended_is_left_alone():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    policy = os.sched_getscheduler(0) if hasattr(os, "sched_getscheduler") else None
    yield_cpu_to_serving(child.pid)  # no error (the process is gone), and nothing else changed
    assert policy is None or os.sched_getscheduler(0) == policy


@pytest.mark.skipif(not hasattr(os, "sched_setscheduler"), reason="SCHED_IDLE is Linux-only")
def test_a_pid_that_is_not_a_child_never_touches_the_caller():
    policy, cpus = os.sched_getscheduler(0), os.sched_getaffinity(0)
    for not_a_child in (0, -1):  # 0 would mean "the calling thread" to sched_setscheduler
        yield_cpu_to_serving(not_a_child)
    assert os.sched_getscheduler(0) == policy and os.sched_getaffinity(0) == cpus
