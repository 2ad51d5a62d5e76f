"""detoxlab.grade.processes: finding and killing what a submission started."""
import os
import subprocess
import sys
import time

import psutil

from detoxlab.grade.limits import Limits
from detoxlab.grade.processes import SANDBOX_ENV
from detoxlab.grade.sandbox import Sandbox


def test_same_user_cleanup_finds_a_daemon_that_left_the_session(tmp_path):
    """Without a user id of its own, the sandbox's processes are found by session, group and token."""
    sandbox = Sandbox(tmp_path, Limits(), isolate_user=False)
    daemon_pid = tmp_path / "daemon.pid"
    script = ("import os, sys, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
              f"        open({str(daemon_pid)!r}, 'w').write(str(os.getpid()))\n        time.sleep(600)\n"
              "    os._exit(0)\ntime.sleep(600)\n")
    kernel = subprocess.Popen([sys.executable, "-c", script], env={**os.environ, SANDBOX_ENV: sandbox.token},
                              start_new_session=True)
    sandbox.kernel_pid = sandbox.kernel_sid = kernel.pid
    for _ in range(100):
        if daemon_pid.exists() and daemon_pid.read_text():
            break
        time.sleep(0.1)
    daemon = psutil.Process(int(daemon_pid.read_text()))
    assert os.getsid(daemon.pid) != kernel.pid
    assert sandbox.kill_all()
    kernel.wait(timeout=10)
    assert not daemon.is_running() or daemon.status() == psutil.STATUS_ZOMBIE
    sandbox.cleanup()
    assert not sandbox.root.exists()
