"""The browser tier's Chromium: the build that the npm package ``@sparticuz/chromium`` carries
(``tests/browser/tools/package.json``), extracted once under ``var/browser/`` and checked against the
shared libraries it needs.

``python -m tests.browser.chromium`` (run by the Makefile after ``npm install``) extracts it, and when a
library is missing installs the Debian packages that hold them (as root, with apt-get) or says which
to install.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

REPO = pathlib.Path(__file__).resolve().parents[2]
TOOLS = pathlib.Path(__file__).resolve().parent / "tools"
PACKAGE = TOOLS / "node_modules" / "@sparticuz" / "chromium"
EXTRACT_ROOT = REPO / "var" / "browser"
INSTALL_HINT = "run `make test-browser` (it installs tests/browser/tools with npm), or `make install`"

# The Debian packages that hold the libraries the extracted binary links against (`ldd` on it shows
# libnss3, libnssutil3, libnspr4, libplc4, libplds4 and libexpat besides the C library), and what
# renders text: a fontconfig configuration and one font.
LIBRARY_PACKAGES = {
    "libnss3.so": "libnss3", "libnssutil3.so": "libnss3", "libsmime3.so": "libnss3",
    "libnspr4.so": "libnspr4", "libplc4.so": "libnspr4", "libplds4.so": "libnspr4",
    "libexpat.so.1": "libexpat1",
}
FONT_CONFIG = pathlib.Path("/etc/fonts/fonts.conf")
FONT_DIR = pathlib.Path("/usr/share/fonts")

# Of the flags the package recommends (its `args`), those left out here: --single-process (a second
# browser context then fails to open), --disable-web-security, --allow-running-insecure-content,
# --disable-site-isolation-trials, --disable-features=...IsolateOrigins,site-per-process and
# --enable-features=SharedArrayBuffer (the pages are tested with the protections a visitor's browser
# has), --headless='shell' (Playwright sets the headless mode itself).
LEFT_OUT = re.compile(r"--(single-process|disable-web-security|allow-running-insecure-content"
                      r"|disable-site-isolation-trials|disable-features=|enable-features=|headless)")


class ChromiumUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Chromium:
    executable: pathlib.Path
    args: tuple[str, ...]


def package_version() -> str:
    try:
        return json.loads((PACKAGE / "package.json").read_text())["version"]
    except FileNotFoundError:
        raise ChromiumUnavailable(f"the npm package @sparticuz/chromium is not installed in {TOOLS.relative_to(REPO)}; "
                                  f"{INSTALL_HINT}") from None


def resolve() -> Chromium:
    """The extracted executable and the flags to launch it with; extracts on first use (a few seconds)."""
    node = shutil.which("node")
    if node is None:
        raise ChromiumUnavailable("Node.js (node) is needed to extract Chromium from its npm package; install "
                                  "Node.js and npm")
    target = EXTRACT_ROOT / f"chromium-{package_version()}"
    if not (target / ".complete").exists():
        # Extracted beside its final place and moved there whole, so that an interrupted extraction is
        # never taken for a finished one.
        partial = EXTRACT_ROOT / f"{target.name}.partial-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        _run_node(node, partial)
        (partial / ".complete").touch()
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
    answer = _run_node(node, target)
    executable = pathlib.Path(answer["executablePath"])
    if not os.access(executable, os.X_OK):
        raise ChromiumUnavailable(f"{executable} is not an executable; delete {target} and run again")
    args = [a for a in answer["args"] if not LEFT_OUT.match(a)]
    if "--no-sandbox" not in args:  # Chromium's sandbox refuses to start as root, as the tests may run
        args.append("--no-sandbox")
    return Chromium(executable, tuple(args))


def _run_node(node: str, target: pathlib.Path) -> dict:
    proc = subprocess.run([node, str(TOOLS / "chromium.mjs"), str(target)], capture_output=True, text=True,
                          cwd=TOOLS, timeout=120)
    if proc.returncode != 0:
        raise ChromiumUnavailable(f"extracting Chromium failed (node {proc.returncode}): {proc.stderr.strip()[-1500:]}"
                                  f"\n{INSTALL_HINT}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def missing_libraries(executable: pathlib.Path) -> list[str]:
    """The shared libraries the dynamic loader does not find for the executable, by `ldd`."""
    out = subprocess.run(["ldd", str(executable)], capture_output=True, text=True, check=True).stdout
    return sorted({line.split("=>")[0].strip() for line in out.splitlines() if "not found" in line})


def missing_packages(executable: pathlib.Path) -> tuple[list[str], list[str]]:
    """The Debian packages that would give what is missing, and the missing libraries no package here
    is known for."""
    libraries = missing_libraries(executable)
    packages = {LIBRARY_PACKAGES[lib] for lib in libraries if lib in LIBRARY_PACKAGES}
    if not FONT_CONFIG.exists():
        packages.add("fontconfig-config")
    if not any(f.suffix in (".ttf", ".otf") for f in FONT_DIR.rglob("*")):
        packages.add("fonts-dejavu-core")
    return sorted(packages), [lib for lib in libraries if lib not in LIBRARY_PACKAGES]


def problem(executable: pathlib.Path) -> str | None:
    """What stops Chromium from running here, and how to fix it; None when nothing does."""
    packages, unknown = missing_packages(executable)
    if not packages and not unknown:
        return None
    parts = []
    if packages:
        parts.append(f"install the Debian packages it needs: apt-get install {' '.join(packages)}")
    if unknown:
        parts.append(f"these shared libraries are missing and no package is known for them: {', '.join(unknown)} "
                     f"(`apt-file search <library>` names the package)")
    return f"Chromium ({executable}) cannot run here: " + "; ".join(parts)


def main() -> int:
    try:
        chromium = resolve()
    except ChromiumUnavailable as exc:
        print(exc, file=sys.stderr)
        return 1
    packages, unknown = missing_packages(chromium.executable)
    if packages and not unknown and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"Installing what Chromium needs from Debian: {' '.join(packages)}", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], check=True, env=env)
    message = problem(chromium.executable)
    if message:
        print(message, file=sys.stderr)
        return 1
    print(f"Chromium ready: {chromium.executable.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
