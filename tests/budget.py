"""The rule every parser and rule obeys (issue 7): for any input, a result or a UserFacingError,
within 100 ms. Time is the thread's CPU time, so a loaded machine does not fail it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from bot.errors import UserFacingError

BUDGET_SECONDS = 0.1
T = TypeVar("T")


def answered(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | UserFacingError:
    """``fn(*args, **kwargs)``, or the UserFacingError it raised; anything else fails the test,
    and so does taking more than the budget twice in a row (once can be a garbage collection
    or a library loading data on first use, which is not the input's cost)."""
    result, spent = _timed(fn, *args, **kwargs)
    if spent >= BUDGET_SECONDS:
        result, spent = _timed(fn, *args, **kwargs)
    assert spent < BUDGET_SECONDS, f"{fn.__name__}{args} took {spent * 1000:.0f} ms of CPU"
    return result


def _timed(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T | UserFacingError, float]:
    began = time.thread_time()
    try:
        result: T | UserFacingError = fn(*args, **kwargs)
    except UserFacingError as refusal:
        result = refusal
    return result, time.thread_time() - began
