"""ffi.string, ffi.unpack, ffi.buffer, ffi.from_buffer and ffi.memmove."""
import array
import gc

import pytest


def test_string(ffi):
    ffi.cdef("enum e { A, B = 5 };")
    s = ffi.new("char[]", b"hello")
    assert ffi.string(s) == b"hello"
    assert ffi.string(s, 2) == b"he"
    assert ffi.string(ffi.cast("char *", s)) == b"hello"
    assert ffi.string(ffi.new("char[3]", b"abc")) == b"abc"   # no NUL: stops at the end
    assert ffi.string(ffi.new("wchar_t[]", "h\xe9")) == "h\xe9"
    assert ffi.string(ffi.new("char16_t[]", "xy")) == "xy"
    assert ffi.string(ffi.new("char32_t[]", "\U00012345")) == "\U00012345"
    assert ffi.string(ffi.cast("char", 65)) == b"A"
    assert ffi.string(ffi.cast("wchar_t", 65)) == "A"
    assert ffi.string(ffi.cast("enum e", 5)) == "B"
    assert ffi.string(ffi.cast("enum e", 4)) == "4"
    with pytest.raises(TypeError, match="string\\(\\): unexpected cdata 'int' argument"):
        ffi.string(ffi.cast("int", 65))
    with pytest.raises(TypeError, match="unexpected cdata 'int\\[3\\]' argument"):
        ffi.string(ffi.new("int[3]"))
    with pytest.raises(RuntimeError, match="cannot use string\\(\\) on <cdata 'char \\*' NULL>"):
        ffi.string(ffi.cast("char *", 0))


def test_unpack(ffi):
    ffi.cdef("struct st { int x; };")
    a = ffi.new("int[3]", [1, 2, 3])
    assert ffi.unpack(a, 2) == [1, 2]
    assert ffi.unpack(ffi.cast("int *", a), 3) == [1, 2, 3]
    assert ffi.unpack(ffi.new("char[]", b"hello"), 3) == b"hel"
    assert ffi.unpack(ffi.new("wchar_t[]", "abc"), 2) == "ab"
    structs = ffi.unpack(ffi.new("struct st[2]", [[4], [5]]), 2)
    assert [s.x for s in structs] == [4, 5]
    with pytest.raises(ValueError, match="'length' cannot be negative"):
        ffi.unpack(a, -1)
    with pytest.raises(ValueError, match="'void \\*' points to items of unknown size"):
        ffi.unpack(ffi.cast("void *", a), 2)
    with pytest.raises(TypeError, match="expected a pointer or array, got 'int'"):
        ffi.unpack(ffi.cast("int", 0), 2)


def test_buffer(ffi):
    a = ffi.new("int[3]", [1, 2, 3])
    b = ffi.buffer(a)
    assert type(b) is ffi.buffer
    assert len(b) == 12
    assert b[0] == b"\x01"
    assert b[0:4] == b"\x01\x00\x00\x00"
    assert bytes(b)[4:8] == b"\x02\x00\x00\x00"
    assert b[:] == bytes(b)
    b[0:4] = b"\x05\x00\x00\x00"
    assert a[0] == 5
    b[4] = b"\x07"
    assert a[1] == 7
    with pytest.raises(ValueError, match="right operand length must match slice length"):
        b[0:4] = b"\x05"
    assert memoryview(b).nbytes == 12
    assert b == ffi.buffer(a)
    assert ffi.buffer(a, 4)[:] == b"\x05\x00\x00\x00"
    assert len(ffi.buffer(ffi.cast("int *", a))) == 4
    assert bytes(ffi.buffer(ffi.new("char[]", b"hi"))) == b"hi\x00"
    with pytest.raises(TypeError, match="expected a pointer or array cdata, got 'int'"):
        ffi.buffer(ffi.cast("int", 1))


def test_buffer_of_struct_pointer(ffi):
    ffi.cdef("struct st { int x; char y; };")
    p = ffi.new("struct st *", [1, b"a"])
    assert ffi.buffer(p)[:] == b"\x01\x00\x00\x00a\x00\x00\x00"


def test_buffer_keeps_the_cdata_alive(ffi):
    b = ffi.buffer(ffi.new("char[]", b"abc"))
    gc.collect()
    assert b[:] == b"abc\x00"


def test_from_buffer(ffi):
    ba = bytearray(b"abcd")
    c = ffi.from_buffer(ba)
    assert repr(c) == "<cdata 'char[]' buffer len 4 from 'bytearray' object>"
    assert len(c) == 4 and c[1] == b"b"
    c[0] = b"z"
    assert ba[0:1] == b"z"
    ints = ffi.from_buffer("int[]", bytearray(9))
    assert repr(ints) == "<cdata 'int[]' buffer len 2 from 'bytearray' object>"
    assert repr(ffi.from_buffer("int *", bytearray(4))) == \
        "<cdata 'int *' buffer from 'bytearray' object>"
    assert len(ffi.from_buffer("int[3]", bytearray(16))) == 3
    with pytest.raises(ValueError, match=r"buffer is too small \(4 bytes\) for 'int\[2\]' \(8 bytes\)"):
        ffi.from_buffer("int[2]", bytearray(4))
    assert ffi.from_buffer(b"xy")[1] == b"y"
    with pytest.raises(BufferError):
        ffi.from_buffer(b"xx", require_writable=True)
    with pytest.raises(TypeError):
        ffi.from_buffer(5)
    with pytest.raises(TypeError):
        ffi.from_buffer("abc")
    m = ffi.from_buffer(memoryview(bytearray(8)))
    assert len(m) == 8
    arr = array.array("i", [1, 2, 3])
    x = ffi.from_buffer("int[]", arr)
    assert list(x) == [1, 2, 3]
    x[0] = 9
    assert arr[0] == 9


def test_from_buffer_keeps_source_alive_and_locked(ffi):
    ba = bytearray(b"abcd")
    c = ffi.from_buffer(ba)
    with pytest.raises(BufferError):
        ba.extend(b"more")          # the buffer is exported
    ffi.release(c)
    ba.extend(b"more")              # released: resizable again
    c2 = ffi.from_buffer(bytearray(b"xyz"))
    gc.collect()
    assert c2[2] == b"z"


def test_from_buffer_with_statement(ffi):
    ba = bytearray(4)
    with ffi.from_buffer(ba) as c:
        c[0] = b"q"
    ba.append(1)
    assert ba[0:1] == b"q"


def test_memmove(ffi):
    a = ffi.new("int[3]", [1, 2, 3])
    ffi.memmove(a, b"\x09\x00\x00\x00", 4)
    assert a[0] == 9
    ffi.memmove(a + 1, a, 8)
    assert list(a) == [9, 9, 2]
    ba = bytearray(8)
    ffi.memmove(ba, a, 8)
    assert ba == b"\x09\x00\x00\x00\x09\x00\x00\x00"
    with pytest.raises(TypeError):
        ffi.memmove(a, [1], 4)
    with pytest.raises(BufferError, match="Object is not writable"):
        ffi.memmove(b"readonly", a, 4)
