"""Admin routes without training: POST /retrain-model runs the real runner, but no child process starts."""

from __future__ import annotations

import threading
import types


def hold_retraining_processes(monkeypatch) -> threading.Event:
    """Replace the runner's child process with one that 'runs' until the returned event is set.

    The runner still writes the job row and checks its locks (202, then 409 while the job is
    queued), so the routes answer as in production; nothing trains and no process is left.
    Set the event when done: the reaper threads then mark the held jobs failed and end.
    """
    import services.retraining

    release = threading.Event()

    class HeldProcess:
        pid, returncode = 0, None

        def __init__(self, command, **_kwargs):
            self.command = command

        def wait(self, timeout=None):
            release.wait(timeout)
            self.returncode = 0
            return 0

    monkeypatch.setattr(services.retraining, "subprocess", types.SimpleNamespace(Popen=HeldProcess))
    return release
