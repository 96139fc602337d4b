"""The extracted Chromium runs here, and every library it links against beyond the C library is one the
install step knows the Debian package of, so that a machine without it is told what to install."""
from __future__ import annotations

import subprocess

import pytest

from tests.browser import chromium as chromium_build

pytestmark = pytest.mark.browser

C_LIBRARY = {"linux-vdso.so.1", "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1",
             "libgcc_s.so.1"}


def test_every_library_chromium_needs_has_a_known_package(chromium_path):
    out = subprocess.run(["ldd", str(chromium_path)], capture_output=True, text=True, check=True).stdout
    linked = {line.split("=>")[0].strip() for line in out.splitlines() if "=>" in line}
    assert linked - C_LIBRARY <= set(chromium_build.LIBRARY_PACKAGES), linked - C_LIBRARY
    assert chromium_build.missing_libraries(chromium_path) == []
    assert chromium_build.problem(chromium_path) is None


def test_chromium_is_launched_without_the_flags_that_weaken_a_page(chromium):
    assert "--no-sandbox" in chromium.args
    assert not [a for a in chromium.args if a.startswith(("--single-process", "--disable-web-security",
                                                          "--disable-site-isolation-trials", "--headless"))]
