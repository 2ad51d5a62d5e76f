"""detoxlab.grade.limits: a submission's limits, checked when made and applied to its process."""
import multiprocessing
import os
import resource

import pytest

from detoxlab.grade.limits import Limits, apply_limits


@pytest.mark.parametrize("name", ["cell_seconds", "total_seconds", "memory_mb", "processes", "file_mb"])
def test_a_limit_that_is_not_positive_is_refused(name):
    with pytest.raises(ValueError, match=f"{name.replace('_', '-')} must be positive"):
        Limits(**{name: 0})


def _applied(limits: Limits, queue) -> None:
    apply_limits(limits, own_user=False)
    queue.put({"as": resource.getrlimit(resource.RLIMIT_AS)[0], "fsize": resource.getrlimit(resource.RLIMIT_FSIZE)[0],
               "core": resource.getrlimit(resource.RLIMIT_CORE)[0], "cpu": resource.getrlimit(resource.RLIMIT_CPU)[0],
               "umask": os.umask(0)})


def test_the_limits_reach_the_process_they_are_applied_in():
    context = multiprocessing.get_context("fork")  # as the kernel's process gets them: after fork
    queue = context.Queue()
    child = context.Process(target=_applied, args=(Limits(memory_mb=3000, file_mb=5, total_seconds=100), queue))
    child.start()
    applied = queue.get(timeout=30)
    child.join(timeout=30)
    assert applied == {"as": 3000 * 2**20, "fsize": 5 * 2**20, "core": 0, "cpu": 230, "umask": 0o077}


def test_without_the_address_space_limit_the_other_limits_still_apply():
    """What the grader uses with a CUDA build of torch (limits.torch_reserves_address_space): memory is then the
    watchdog's alone."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    limits = Limits(memory_mb=3000, file_mb=5, total_seconds=100, address_space=False)
    child = context.Process(target=_applied, args=(limits, queue))
    child.start()
    applied = queue.get(timeout=30)
    child.join(timeout=30)
    assert applied == {"as": resource.getrlimit(resource.RLIMIT_AS)[0], "fsize": 5 * 2**20, "core": 0, "cpu": 230,
                       "umask": 0o077}
    assert applied["as"] != 3000 * 2**20
