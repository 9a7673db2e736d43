"""A retrain runs beside the server: it gets the CPU time that serving leaves, on one core.

At nice 10 a retrain still took a fair share of a 2-core machine and multiplied scoring p99
several times. Linux SCHED_IDLE threads run only when no normal thread wants the CPU, and a
retrain kept to one core always leaves serving a core of its own: on 2 cores, scoring p99
during a retrain went from about 3x idle (SCHED_IDLE alone) to 1.4x (bench/retrain_benchmark.py).
Both settings are per thread on Linux and inherited by threads started later, so they are
applied to every thread already running: NumPy starts its BLAS pool at import.
"""

from __future__ import annotations

import os


def yield_cpu_to_serving(pid: int | None = None) -> None:
    """Run process `pid` (default: this one) at SCHED_IDLE on the last core it may use.

    The runner calls this on a retrain it has just started, before the child has imported
    anything; the child calls it again on itself. Where SCHED_IDLE or affinity is not
    available (not Linux) or not permitted, the process is niced to 19 instead.
    """
    if pid is not None and pid <= 0:
        return  # not a child's id: to these calls 0 would mean the caller, the server itself
    if not hasattr(os, "sched_setscheduler"):
        _nice(pid)
        return
    target = 0 if pid is None else pid
    try:
        cpus = sorted(os.sched_getaffinity(target))
    except ProcessLookupError:  # it has already ended
        return
    for thread_id in _thread_ids(pid):
        try:
            os.sched_setscheduler(thread_id, os.SCHED_IDLE, os.sched_param(0))
            if len(cpus) > 1:
                os.sched_setaffinity(thread_id, {cpus[-1]})
        except ProcessLookupError:  # the thread ended meanwhile
            continue
        except OSError:  # not permitted
            _nice(pid)
            return


def _thread_ids(pid: int | None) -> list[int]:
    """The threads of process `pid` (Linux /proc); just the process where /proc is not there."""
    try:
        return [int(name) for name in os.listdir(f"/proc/{'self' if pid is None else pid}/task")]
    except OSError:
        return [0 if pid is None else pid]


def _nice(pid: int | None) -> None:
    try:
        if pid is None:
            os.nice(19)
        else:
            os.setpriority(os.PRIO_PROCESS, pid, 19)
    except (OSError, AttributeError):
        pass  # priority is a courtesy: a retrain without it still runs
