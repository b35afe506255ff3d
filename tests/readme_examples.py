#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compile and run every ```c block of README.md against the built library,
so the front page never shows code that does not build or run.

usage: readme_examples.py README CC INCLUDE_DIRS(;-separated) STATIC_LIB [MODULES]

MODULES (;-separated, e.g. "hdr;smtp_server;pop3_client") lists what the
library was built with; an example that uses a module left out (a name
mw_<module>_...) is skipped.
"""
import os
import re
import subprocess
import sys
import tempfile


def main():
    readme, cc, incs, lib = sys.argv[1:5]
    modules = set(sys.argv[5].split(";")) if len(sys.argv) > 5 else None
    text = open(readme, encoding="utf-8").read()
    blocks = re.findall(r"```c\n(.*?)```", text, re.S)
    if not blocks:
        print("README has no C example")
        return 1
    failed = skipped = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, code in enumerate(blocks):
            used = set(re.findall(r"\bmw_(hdr|smtp_server|smtp_client|smtp_sender|pop3_server|pop3_client|imap_server|imap_client)_", code))
            if modules is not None and not used <= modules:
                print(f"README example {i} skipped: needs {sorted(used - modules)}")
                skipped += 1
                continue
            src = os.path.join(tmp, f"example{i}.c")
            exe = os.path.join(tmp, f"example{i}")
            with open(src, "w", encoding="utf-8") as f:
                f.write(code)
            cmd = [cc, "-std=c99", "-Wall", "-Wextra", "-Werror", "-DMW_STATIC", src, "-o", exe, lib]
            for d in incs.split(";"):
                cmd.insert(1, "-I" + d)
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                print(f"README example {i} does not compile:\n{r.stderr}")
                failed += 1
                continue
            r = subprocess.run([exe], capture_output=True, text=True, timeout=60)
            print(f"--- README example {i} output:\n{r.stdout}")
            if r.returncode != 0:
                print(f"README example {i} exited with {r.returncode}")
                failed += 1
    print(f"{len(blocks) - failed - skipped} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
