// The version boundary, objects: what the heap census reads of objects and types
// (sizes, dict and list storage, references tp_traverse leaves out, type fields,
// the allocation base, the GC header), and taking and restoring the raised
// exception.
#include "boundary.h"
#if PY_VERSION_HEX >= 0x030D0000
#include <internal/pycore_sysmodule.h>
#endif
#include <internal/pycore_dict.h>
#if PY_VERSION_HEX >= 0x030C0000
#include <internal/pycore_long.h>
#endif
#include <internal/pycore_object.h>

Py_ssize_t pyro_getsizeof(PyObject *o) {
    size_t size = _PySys_GetSizeOf(o);
    if (size == (size_t)-1) { PyErr_Clear(); return -1; }
    return (Py_ssize_t)size;
}

// int.__sizeof__: the header and at least one digit.
static inline Py_ssize_t long_sizeof(PyObject *o) {
#if PY_VERSION_HEX >= 0x030C0000
    Py_ssize_t digits = (Py_ssize_t)_PyLong_DigitCount((PyLongObject *)o);
    return offsetof(PyLongObject, long_value.ob_digit) + (digits > 1 ? digits : 1) * sizeof(digit);
#else
    Py_ssize_t digits = Py_ABS(Py_SIZE(o));
    return offsetof(PyLongObject, ob_digit) + (digits > 1 ? digits : 1) * sizeof(digit);
#endif
}

Py_ssize_t pyro_fast_sizeof(PyObject *o) {
    PyTypeObject *type = Py_TYPE(o);
    if (type == &PyDict_Type) { return _PyDict_SizeOf((PyDictObject *)o); }
    if (type == &PyLong_Type) { return long_sizeof(o); }
    return -1;
}

int pyro_has_object_sizeof(PyTypeObject *type) {
    static PyObject *name;
    if (name == NULL) { name = PyUnicode_InternFromString("__sizeof__"); }
    if (name == NULL) { PyErr_Clear(); return 0; }
    PyObject *own = _PyType_Lookup(type, name);
    return own != NULL && own == _PyType_Lookup(&PyBaseObject_Type, name);
}

// A dict the census can count on the spot: exact, untracked (so not in
// gc.get_objects()), held by one reference, str keys in one table.
static inline int is_plain_private_dict(PyObject *o) {
    if (!PyDict_CheckExact(o) || Py_REFCNT(o) != 1 || _PyObject_GC_IS_TRACKED(o)) { return 0; }
    PyDictObject *mp = (PyDictObject *)o;
    return mp->ma_values == NULL && mp->ma_keys != NULL && DK_IS_UNICODE(mp->ma_keys);
}

int pyro_visit_items_counting(PyObject *o, pyro_bulk_tally *tally, visitproc visit, void *arg) {
    PyObject **items;
    Py_ssize_t n;
    if (PyList_CheckExact(o)) {
        items = ((PyListObject *)o)->ob_item;
        n = PyList_GET_SIZE(o);
    } else if (PyTuple_CheckExact(o)) {
        items = ((PyTupleObject *)o)->ob_item;
        n = PyTuple_GET_SIZE(o);
    } else {
        return 0;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = items[i];
        // The header (and GC header) of an item a few further on is fetched
        // meanwhile (a prefetch never faults, whatever the pointer).
        if (i + 8 < n) {
            char *later = (char *)items[i + 8];
            __builtin_prefetch(later - 16);
            __builtin_prefetch(later + 16);
        }
        if (item == NULL) { continue; }
        if (!is_plain_private_dict(item)) { visit(item, arg); continue; }
        PyDictObject *mp = (PyDictObject *)item;
        if (tally->dicts++ == 0) { tally->dict_sample = item; }
        tally->dict_bytes += _PyDict_SizeOf(mp);
        PyDictUnicodeEntry *entries = DK_UNICODE_ENTRIES(mp->ma_keys);
        Py_ssize_t used = mp->ma_keys->dk_nentries;
        for (Py_ssize_t e = 0; e < used; e++) {
            PyObject *value = entries[e].me_value;
            if (value == NULL) { continue; }
            visit(entries[e].me_key, arg);
            if (PyLong_CheckExact(value) && Py_REFCNT(value) == 1) {
                if (tally->ints++ == 0) { tally->int_sample = value; }
                tally->int_bytes += long_sizeof(value);
            } else {
                visit(value, arg);
            }
        }
    }
    return 1;
}

int pyro_visit_plain_dict(PyObject *o, visitproc visit, void *arg) {
    if (!PyDict_CheckExact(o)) { return 0; }
    PyDictObject *mp = (PyDictObject *)o;
    PyDictKeysObject *keys = mp->ma_keys;
    if (mp->ma_values != NULL || keys == NULL || !DK_IS_UNICODE(keys)) { return 0; }
    PyDictUnicodeEntry *entries = DK_UNICODE_ENTRIES(keys);
    Py_ssize_t n = keys->dk_nentries;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (entries[i].me_value != NULL) {
            visit(entries[i].me_key, arg);
            visit(entries[i].me_value, arg);
        }
    }
    return 1;
}

static int visit_hidden_dict_keys(PyObject *dict, visitproc visit, void *arg) {
    PyDictObject *mp = (PyDictObject *)dict;
    PyDictKeysObject *keys = mp->ma_keys;
    if (keys == NULL || !DK_IS_UNICODE(keys)) { return 0; }
    PyDictUnicodeEntry *entries = DK_UNICODE_ENTRIES(keys);
    Py_ssize_t n = keys->dk_nentries;
    for (Py_ssize_t i = 0; i < n; i++) {
        // A split table's keys are shared: only those this dict has a value for.
        PyObject *value = mp->ma_values != NULL ? mp->ma_values->values[i] : entries[i].me_value;
        if (value != NULL) { Py_VISIT(entries[i].me_key); }
    }
    return 0;
}

// A code object's lazily made attributes (co_code, co_varnames, ...).
static inline int visit_code_cache(PyCodeObject *code, visitproc visit, void *arg) {
#if PY_VERSION_HEX >= 0x030C0000
    if (code->_co_cached != NULL) {
        Py_VISIT(code->_co_cached->_co_code);
        Py_VISIT(code->_co_cached->_co_varnames);
        Py_VISIT(code->_co_cached->_co_cellvars);
        Py_VISIT(code->_co_cached->_co_freevars);
    }
#else
    Py_VISIT(code->_co_code);
#endif
    return 0;
}

static int visit_code_fields(PyCodeObject *code, visitproc visit, void *arg) {
    Py_VISIT(code->co_consts);
    Py_VISIT(code->co_names);
    Py_VISIT(code->co_exceptiontable);
    Py_VISIT(code->co_localsplusnames);
    Py_VISIT(code->co_localspluskinds);
    Py_VISIT(code->co_filename);
    Py_VISIT(code->co_name);
    Py_VISIT(code->co_qualname);
    Py_VISIT(code->co_linetable);
    return visit_code_cache(code, visit, arg);
}

// A static type's dict (builtin static types keep theirs in the interpreter
// since 3.12).
static inline PyObject *static_type_dict(PyTypeObject *type) {
#if PY_VERSION_HEX >= 0x030C0000
    return _PyType_GetDict(type);
#else
    return type->tp_dict;
#endif
}

// Type objects: a heap type's tp_traverse leaves out its name, qualified name
// and __slots__ (str and a tuple of str); a static type is no GC object and is
// not traversed at all, yet holds its dict, MRO and bases.
static int visit_type_fields(PyTypeObject *type, visitproc visit, void *arg) {
    if (type->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        PyHeapTypeObject *heap = (PyHeapTypeObject *)type;
        Py_VISIT(heap->ht_name);
        Py_VISIT(heap->ht_qualname);
        Py_VISIT(heap->ht_slots);
        return 0;
    }
    Py_VISIT(static_type_dict(type));
    Py_VISIT(type->tp_mro);
    Py_VISIT(type->tp_bases);
    Py_VISIT((PyObject *)type->tp_base);
    return 0;
}

// An instance's __dict__ made while its values still live in the instance
// (3.13+), or NULL.
static inline PyObject *materialised_inline_dict(PyObject *o) {
#if PY_VERSION_HEX >= 0x030D0000
    PyTypeObject *type = Py_TYPE(o);
    if ((type->tp_flags & Py_TPFLAGS_MANAGED_DICT) && (type->tp_flags & Py_TPFLAGS_INLINE_VALUES)
        && _PyObject_InlineValues(o)->valid) {
        return (PyObject *)_PyObject_GetManagedDict(o);
    }
#else
    (void)o;
#endif
    return NULL;
}

int pyro_visit_hidden(PyObject *o, visitproc visit, visitproc shallow, void *arg) {
    if (PyDict_Check(o)) { return visit_hidden_dict_keys(o, visit, arg); }
    if (PyCode_Check(o)) { return visit_code_fields((PyCodeObject *)o, visit, arg); }
    if (PyType_Check(o)) { return visit_type_fields((PyTypeObject *)o, visit, arg); }
    PyObject *dict = materialised_inline_dict(o);
    if (dict != NULL) { return shallow(dict, arg); }
    return 0;
}

// What type.__name__ and type.__module__ give: a heap type's ht_name and the
// __module__ of its dict; a static type's tp_name after and before its last dot
// ("builtins" without one).
int pyro_type_is_named(PyTypeObject *type, const char *name, size_t length, int qualified) {
    const char *short_name;
    Py_ssize_t short_length;
    const char *module = NULL;
    Py_ssize_t module_length = 0;
    if (type->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        short_name = PyUnicode_AsUTF8AndSize(((PyHeapTypeObject *)type)->ht_name, &short_length);
        if (short_name == NULL) { PyErr_Clear(); return 0; }
        if (qualified) {
            static PyObject *module_key;
            if (module_key == NULL) { module_key = PyUnicode_InternFromString("__module__"); }
            PyObject *dict = type->tp_dict;
            PyObject *value = (dict != NULL && module_key != NULL) ? PyDict_GetItemWithError(dict, module_key) : NULL;
            if (value != NULL && PyUnicode_Check(value)) {
                module = PyUnicode_AsUTF8AndSize(value, &module_length);
                if (module == NULL) { PyErr_Clear(); return 0; }
            } else if (value != NULL && PyObject_IsTrue(value) == 1) {
                PyErr_Clear();
                return 0;  // a module that is no str: not compared
            }
            PyErr_Clear();
        }
    } else {
        const char *dot = strrchr(type->tp_name, '.');
        short_name = dot != NULL ? dot + 1 : type->tp_name;
        short_length = (Py_ssize_t)strlen(short_name);
        module = dot != NULL ? type->tp_name : "builtins";
        module_length = dot != NULL ? (Py_ssize_t)(dot - type->tp_name) : 8;
    }
    if (!qualified || module == NULL || module_length == 0) {
        return (size_t)short_length == length && memcmp(short_name, name, length) == 0;
    }
    return (size_t)(module_length + 1 + short_length) == length && memcmp(module, name, (size_t)module_length) == 0
        && name[module_length] == '.' && memcmp(short_name, name + module_length + 1, (size_t)short_length) == 0;
}

void *pyro_allocation_base(PyObject *o) {
    return (char *)o - _PyType_PreHeaderSize(Py_TYPE(o));
}

// _PyType_Lookup: private, yet exported and unchanged on 3.11-3.13.
PyObject *pyro_type_lookup(PyTypeObject *type, PyObject *name) {
    return _PyType_Lookup(type, name);
}

// pyro_is_tracked reads the GC header's first word at o - 16.
_Static_assert(sizeof(PyGC_Head) == 2 * sizeof(uintptr_t), "GC header of two words");
_Static_assert(offsetof(PyGC_Head, _gc_next) == 0, "_gc_next first");
#ifdef Py_GIL_DISABLED
#error "free-threaded builds keep GC state in the object header; pyro_is_tracked needs their layout"
#endif

// The collector's generation lists, read in place (what gc.get_objects() copies
// into a list). 3.11-3.13 (GIL builds) keep NUM_GENERATIONS doubly linked lists
// in interp->gc; the permanent generation (gc.freeze()) is left out as
// gc.get_objects() leaves it out. The next node is read, and its object
// prefetched, before `each` runs, so `each` may be followed by the next miss.
// Safe only while no collection runs and no tracked object is freed: the
// caller disables the collector and runs no Python code meanwhile.
int pyro_visit_gc_objects(visitproc each, void *arg) {
    struct _gc_runtime_state *gcstate = &PyInterpreterState_Get()->gc;
    for (int i = 0; i < NUM_GENERATIONS; i++) {
        PyGC_Head *head = &gcstate->generations[i].head;
        PyGC_Head *gc = _PyGCHead_NEXT(head);
        while (gc != head) {
            PyGC_Head *next = _PyGCHead_NEXT(gc);
            __builtin_prefetch(next);
            __builtin_prefetch((char *)next + 64);
            int stop = each((PyObject *)(gc + 1), arg);
            if (stop) { return stop; }
            gc = next;
        }
    }
    return 0;
}

// ---- Exceptions ----

PyObject *pyro_take_exception(void) {
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type = NULL, *value = NULL, *traceback = NULL;
    PyErr_Fetch(&type, &value, &traceback);
    if (type == NULL) { return NULL; }
    PyErr_NormalizeException(&type, &value, &traceback);
    if (value != NULL && traceback != NULL) { PyException_SetTraceback(value, traceback); }
    Py_XDECREF(type);
    Py_XDECREF(traceback);
    return value;
#endif
}

void pyro_restore_exception(PyObject *exception) {
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(exception);
#else
    PyObject *type = (PyObject *)Py_TYPE(exception);
    Py_INCREF(type);
    PyErr_Restore(type, exception, PyException_GetTraceback(exception));
#endif
}
