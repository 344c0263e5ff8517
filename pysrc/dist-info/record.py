"""Writes the RECORD and INSTALLER files of an installed dist-info (run by
`make install`, see pysrc/Makemodule.am), so that pip lists the installed
ccffi as the `cffi` distribution and `pip uninstall cffi` removes every file.

usage: record.py DISTINFO_DIR INSTALLER FILE_OR_DIR...

Every FILE_OR_DIR that exists (directories are walked) and DISTINFO_DIR's
files are listed with their sha256 and size, by their path relative to the
directory holding DISTINFO_DIR (the site directory), as the wheel
specification (PEP 376/627) describes; RECORD itself is listed without a
hash.  Nothing is written while DISTINFO_DIR does not exist yet.
"""
import base64
import csv
import hashlib
import os
import sys


def digest(path):
    with open(path, 'rb') as f:
        data = f.read()
    b64 = base64.urlsafe_b64encode(hashlib.sha256(data).digest())
    return 'sha256=' + b64.rstrip(b'=').decode('ascii'), len(data)


def files_under(paths):
    for path in paths:
        if os.path.isdir(path):
            for top, dirs, names in os.walk(path):
                dirs.sort()
                for name in sorted(names):
                    yield os.path.join(top, name)
        elif os.path.isfile(path):
            yield path
        # else: not installed yet (make -j install: the other half's hook
        # writes RECORD again once it is)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    distinfo, installer, paths = argv[0], argv[1], argv[2:]
    if not os.path.isdir(distinfo):
        return      # not installed yet: the other install hook writes it
    site = os.path.dirname(os.path.normpath(distinfo))
    record = os.path.join(distinfo, 'RECORD')
    with open(os.path.join(distinfo, 'INSTALLER'), 'w') as f:
        f.write(installer + '\n')
    rows = {}
    for path in files_under(paths + [distinfo]):
        if os.path.normpath(path) == os.path.normpath(record):
            continue
        rel = os.path.relpath(path, site).replace(os.sep, '/')
        rows[rel] = (rel,) + digest(path)
    rows = sorted(rows.values())
    rows.append((os.path.relpath(record, site).replace(os.sep, '/'), '', ''))
    with open(record, 'w', newline='') as f:
        writer = csv.writer(f, lineterminator='\n')
        for row in rows:
            writer.writerow(row)


if __name__ == '__main__':
    main(sys.argv[1:])
