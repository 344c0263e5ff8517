"""The build tree's python/ stays importable while make updates it.

An embedding library run by a test starts a Python of its own, which
imports _cffi_backend from the tree named by PYTHONPATH.  make once
rebuilt that tree by removing it first: a conformance run that started a
library in that moment imported Debian's _cffi_backend from further down
sys.path instead, which lacks _ccffi_init_module, and CFFI's
test_first_calls_in_parallel aborted (its add1() returned 0).  Each file is
now replaced by a rename: this test reruns the rule (make -W: as if a
source were newer) while a thread watches for a missing file."""
import glob
import os
import shutil
import subprocess
import threading
import time

import pytest

BUILDDIR = os.environ.get("CCFFI_BUILDDIR", "")
TREE = os.path.join(BUILDDIR, "python")


@pytest.mark.skipif(not (BUILDDIR and shutil.which("make")
                         and os.path.exists(os.path.join(BUILDDIR, "Makefile"))
                         and os.path.exists(os.path.join(TREE, ".stamp"))),
                    reason="needs the build tree and make")
def test_python_tree_is_never_missing_a_file_while_make_updates_it():
    backend = glob.glob(os.path.join(TREE, "_cffi_backend*.so"))
    assert len(backend) == 1
    watched = backend + [os.path.join(TREE, "cffi", name)
                         for name in ("__init__.py", "api.py", "_config.py",
                                      "_ccffi_embedding.h")]
    missing = []
    done = threading.Event()

    def watch():
        while not done.is_set():
            for path in watched:
                if not os.path.exists(path):
                    missing.append(path)
            time.sleep(0.0002)   # let the main thread run

    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _ in range(2):
            subprocess.run(["make", "-s", "-C", BUILDDIR,
                            "-W", "pysrc/cffi/error.py", "python/.stamp"],
                           env=env, check=True, stdout=subprocess.DEVNULL)
    finally:
        done.set()
        watcher.join()
    assert missing == []
    for path in watched:
        assert os.path.exists(path)


@pytest.mark.skipif(not (BUILDDIR and shutil.which("make")
                         and os.path.exists(os.path.join(BUILDDIR, "Makefile"))
                         and os.path.exists(os.path.join(TREE, ".stamp"))),
                    reason="needs the build tree and make")
def test_files_make_no_longer_installs_leave_the_tree():
    stale = os.path.join(TREE, "cffi", "_ccffi_stale_test_file.py")
    with open(stale, "w") as f:
        f.write("# not a file of the package\n")
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    subprocess.run(["make", "-s", "-C", BUILDDIR, "-W", "pysrc/cffi/error.py",
                    "python/.stamp"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    assert not os.path.exists(stale)
    assert not glob.glob(os.path.join(TREE, "cffi", "*.new"))
