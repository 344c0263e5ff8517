"""Differential test against the real CFFI: cffi_probe.py runs once with
the real CFFI (pyenv's interpreter that has it installed) and once with
ccffi, and the thousands of observed results must agree, apart from the
deliberate differences listed in ACCEPTED."""
import glob
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = os.path.join(HERE, "cffi_probe.py")

# (substring of the real CFFI's result, why ccffi differs on purpose)
ACCEPTED = [
    ("char32_t", "CFFI names wchar_t 'char32_t' in these messages; ccffi says 'wchar_t'"),
    ("invalid maximum character passed to PyUnicode_New",
     "a SystemError in CFFI; ccffi raises ValueError for out-of-range characters"),
    ("ValueError: ctype '", "unknown sizes raise a class that is both ValueError and "
                             "ffi.error (issue 4 asks for ffi.error)"),
]


def _clean_env():
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)        # the build tree must not shadow the real CFFI
    return env


def _real_cffi_python():
    candidates = [os.environ.get("CCFFI_REAL_CFFI_PYTHON", "")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python")))
    for py in candidates:
        if not py or not os.path.exists(py):
            continue
        # the same Python version: many messages (TypeError of a float
        # conversion...) are the interpreter's and change between versions
        r = subprocess.run([py, "-c", "import sys, cffi, _cffi_backend; "
                            "assert not hasattr(_cffi_backend, '__ccffi__'); "
                            "assert sys.version_info[:2] == %r"
                            % (tuple(sys.version_info[:2]),)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=_clean_env())
        if r.returncode == 0:
            return py
    return None


def _run(python, tree=None):
    cmd = [python, PROBE] + ([tree] if tree else [])
    out = subprocess.run(cmd, stdout=subprocess.PIPE, env=_clean_env(), check=True).stdout
    return json.loads(out)


def test_behaviour_matches_real_cffi():
    real_py = _real_cffi_python()
    if real_py is None:
        pytest.skip("no Python %d.%d with the real CFFI installed"
                    % sys.version_info[:2])
    real = _run(real_py)
    ours = _run(sys.executable, os.environ["CCFFI_PYTHON_TREE"])
    assert [c for c, _ in real] == [c for c, _ in ours]
    diffs = []
    for (case, want), (_, got) in zip(real, ours):
        if want == got or any(s in want for s, _ in ACCEPTED):
            continue
        diffs.append("%s\n    real:  %s\n    ccffi: %s" % (case, want, got))
    assert not diffs, "%d differences:\n%s" % (len(diffs), "\n".join(diffs[:40]))
    assert len(real) > 3000
