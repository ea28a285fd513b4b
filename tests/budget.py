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
    and so does taking more than the budget."""
    began = time.thread_time()
    try:
        result: T | UserFacingError = fn(*args, **kwargs)
    except UserFacingError as refusal:
        result = refusal
    spent = time.thread_time() - began
    assert spent < BUDGET_SECONDS, f"{fn.__name__}{args} took {spent * 1000:.0f} ms of CPU"
    return result
