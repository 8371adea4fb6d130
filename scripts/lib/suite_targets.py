#!/usr/bin/python3
"""Prints the ninja targets the tests of the given suites need, one a line.

Usage: suite_targets.py BUILD_DIR SUITE...

The sanitizer/fuzz build (scripts/test.sh, scripts/fuzz.sh) compiles only
what its suites run instead of the whole tree: this reads meson's
introspection (test -> target ids -> output files) so a test added to a
suite is picked up without editing a list.
"""
import json
import os
import subprocess
import sys


def introspect(build, what):
    out = subprocess.run(["meson", "introspect", build, what], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    build, suites = sys.argv[1], set(sys.argv[2:])
    targets = {t["id"]: t for t in introspect(build, "--targets")}
    root = os.path.realpath(build)
    wanted = set()
    for test in introspect(build, "--tests"):
        # meson names suites "<project>:<suite>".
        if not any(s.split(":")[-1] in suites for s in test["suite"]):
            continue
        for dep in test["depends"]:
            for f in targets[dep]["filename"]:
                wanted.add(os.path.relpath(os.path.realpath(f), root))
    print("\n".join(sorted(wanted)))


if __name__ == "__main__":
    main()
