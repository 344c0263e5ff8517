"""`python -m cffi.gen_src`: the `cffi-gen-src` command (_cffi_gen_src.py)
run through the interpreter, for when the script is not on PATH.  Importing
this module does nothing."""

if __name__ == '__main__':
    from cffi._cffi_gen_src import run
    run(prog='python -m cffi.gen_src')
