"""TAP-style checks shared by the HTTP endpoint's clients in tests/http (run by the
TAP tests in tests/t): each check prints "ok - ..." or "not ok - ...", and the
script ends with finish(), exiting 1 if any check failed."""
import sys

failures = 0


def check(cond, what):
    """Print one TAP line for 'what'; count it when 'cond' is false."""
    global failures
    print(("ok - " if cond else "not ok - ") + what, flush=True)
    if not cond:
        failures += 1


def finish():
    sys.exit(1 if failures else 0)
