"""Helpers shared by the daemon's end-to-end drivers."""

import sys
import time


def skip(reason):
    """Ends the test as skipped (meson counts exit status 77 as a skip)."""
    print("SKIP: " + reason)
    sys.exit(77)


def wait_for(what, predicate, timeout=15.0, interval=0.05):
    """Polls predicate() until it returns a true value (returned) or the
    deadline passes (AssertionError naming `what`)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(interval)
