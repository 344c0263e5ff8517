/* chandle.c - handles: ffi.new_handle() gives a 'void *' cdata keeping a
 * Python object alive; C passes its value around and ffi.from_handle() turns
 * it back into the object.  CFFI's value is the handle's own address, and
 * from_handle() of a dead handle reads freed memory (it aborts when it
 * notices).  Here the value is a token from a counter (never reused, so a
 * new handle cannot take over a dead one's value), and an open-addressing
 * table maps each live token to its handle object (borrowed: the handle
 * removes itself when it dies).  Values are multiples of 16 like aligned
 * addresses; 0 marks an empty slot, 1 a deleted one.  The GIL guards all. */
#include <Python.h>
#include "config.h"
#include <stdint.h>
#include "object/chandle.h"
#include "object/cdata.h"

typedef struct {
    uintptr_t token;
    PyObject *handle;
} chandle_slot;

#define CHANDLE_EMPTY   ((uintptr_t)0)
#define CHANDLE_DELETED ((uintptr_t)1)

static chandle_slot *chandle_slots;
static size_t chandle_cap;          /* a power of two, or 0 */
static size_t chandle_filled;       /* live and deleted slots */
static uintptr_t chandle_counter;

static size_t chandle_hash(uintptr_t token)
{
    return (size_t)((token >> 4) * UINT64_C(0x9E3779B97F4A7C15));
}

/* The slot of token, or the free slot where it would go (for insertion). */
static chandle_slot *chandle_find(uintptr_t token, int for_insert)
{
    size_t mask = chandle_cap - 1, i = chandle_hash(token) & mask;
    chandle_slot *free_slot = NULL;
    for (;;) {
        chandle_slot *s = &chandle_slots[i];
        if (s->token == token)
            return s;
        if (s->token == CHANDLE_EMPTY)
            return for_insert ? (free_slot ? free_slot : s) : NULL;
        if (s->token == CHANDLE_DELETED && free_slot == NULL)
            free_slot = s;
        i = (i + 1) & mask;
    }
}

/* Rebuilds the table with room for `live` entries at most half full. */
static int chandle_resize(size_t live)
{
    size_t cap = 64;
    while (cap < 2 * (live + 1))
        cap *= 2;
    chandle_slot *old = chandle_slots;
    size_t old_cap = chandle_cap;
    chandle_slot *slots = PyMem_Calloc(cap, sizeof *slots);
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    chandle_slots = slots;
    chandle_cap = cap;
    chandle_filled = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].token > CHANDLE_DELETED) {
            *chandle_find(old[i].token, 1) = old[i];
            chandle_filled++;
        }
    PyMem_Free(old);
    return 0;
}

static size_t chandle_live(void)
{
    size_t n = 0;
    for (size_t i = 0; i < chandle_cap; i++)
        n += chandle_slots[i].token > CHANDLE_DELETED;
    return n;
}

PyObject *chandle_new(PyObject *obj)
{
    if ((chandle_filled + 1) * 4 > chandle_cap * 3
        && chandle_resize(chandle_cap ? chandle_live() : 0) < 0)
        return NULL;
    CTypeObject *vp = ctype_pointer_to(ctype_void());
    if (vp == NULL)
        return NULL;
    uintptr_t token = ++chandle_counter << 4;
    CDataOwnObject *o = cdata_new_variant(&CDataHandle_Type, vp, (char *)token);
    Py_DECREF(vp);
    if (o == NULL)
        return NULL;
    Py_INCREF(obj);
    o->c_keep = obj;
    o->c_repr_kind = CDATA_REPR_HANDLE;
    chandle_slot *s = chandle_find(token, 1);
    if (s->token == CHANDLE_EMPTY)
        chandle_filled++;
    s->token = token;
    s->handle = (PyObject *)o;
    return (PyObject *)o;
}

static void chandle_forget(void *token)
{
    if (chandle_cap == 0 || (uintptr_t)token <= CHANDLE_DELETED)
        return;
    chandle_slot *s = chandle_find((uintptr_t)token, 0);
    if (s != NULL && s->token > CHANDLE_DELETED) {
        s->token = CHANDLE_DELETED;
        s->handle = NULL;
    }
}

PyObject *chandle_target(void *ptr)
{
    if (ptr == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "cannot use from_handle() on NULL pointer");
        return NULL;
    }
    uintptr_t token = (uintptr_t)ptr;
    chandle_slot *s = NULL;
    if (chandle_cap != 0 && token > CHANDLE_DELETED)
        s = chandle_find(token, 0);
    if (s == NULL || s->token != token) {
        if ((token & 15) == 0 && token >> 4 <= chandle_counter)
            PyErr_SetString(PyExc_RuntimeError,
                            "ffi.from_handle(): the handle is dead: the object that "
                            "ffi.new_handle() returned was garbage-collected; keep it "
                            "alive for as long as C may use its value");
        else
            PyErr_SetString(PyExc_RuntimeError,
                            "ffi.from_handle(): the pointer is not a handle from "
                            "ffi.new_handle()");
        return NULL;
    }
    PyObject *x = ((CDataOwnObject *)s->handle)->c_keep;
    if (x == NULL)
        x = Py_None;   /* the handle was cleared by the cycle collector */
    Py_INCREF(x);
    return x;
}

/* CDataHandle_Type's own dealloc (cdata.c's), which the wrapper calls. */
static destructor chandle_cdata_dealloc;

static void chandle_dealloc(PyObject *handle)
{
    chandle_forget(((CDataObject *)handle)->c_data);
    chandle_cdata_dealloc(handle);
}

int chandle_init_module(PyObject *m)
{
    (void)m;
    if (chandle_cdata_dealloc == NULL) {
        chandle_cdata_dealloc = CDataHandle_Type.tp_dealloc;
        CDataHandle_Type.tp_dealloc = chandle_dealloc;
    }
    return 0;
}
