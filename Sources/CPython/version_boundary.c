// Everything that differs between the CPython versions pyrometer supports.
// The frame layout lives in internal headers, visible only to core builds.
#define Py_BUILD_CORE 1
#include "pyrometer_cpython.h"
#include <internal/pycore_frame.h>

Py_ssize_t pyro_code_extra_index(void) {
#if PY_VERSION_HEX >= 0x030C0000
    return PyUnstable_Eval_RequestCodeExtraIndex(NULL);
#else
    return _PyEval_RequestCodeExtraIndex(NULL);
#endif
}

void *pyro_code_get_extra(PyObject *code, Py_ssize_t index) {
    void *value = NULL;
#if PY_VERSION_HEX >= 0x030C0000
    if (PyUnstable_Code_GetExtra(code, index, &value) < 0) { PyErr_Clear(); return NULL; }
#else
    if (_PyCode_GetExtra(code, index, &value) < 0) { PyErr_Clear(); return NULL; }
#endif
    return value;
}

int pyro_code_set_extra(PyObject *code, Py_ssize_t index, void *value) {
#if PY_VERSION_HEX >= 0x030C0000
    return PyUnstable_Code_SetExtra(code, index, value);
#else
    return _PyCode_SetExtra(code, index, value);
#endif
}

int pyro_has_monitoring(void) { return PY_VERSION_HEX >= 0x030C0000; }

#if PY_VERSION_HEX >= 0x030C0000
static pyro_code_created_fn code_created_callback;
static int on_code_event(PyCodeEvent event, PyCodeObject *code) {
    if (event == PY_CODE_EVENT_CREATE && code_created_callback) {
        // The watcher must not disturb an exception being handled around it.
        PyObject *pending = PyErr_GetRaisedException();
        code_created_callback((PyObject *)code);
        PyErr_Clear();
        PyErr_SetRaisedException(pending);
    }
    return 0;
}
#endif

int pyro_watch_code_creation(pyro_code_created_fn callback) {
#if PY_VERSION_HEX >= 0x030C0000
    code_created_callback = callback;
    return PyCode_AddWatcher(on_code_event);
#else
    (void)callback;
    return -1;
#endif
}

void pyro_unwatch_code_creation(int watcher) {
#if PY_VERSION_HEX >= 0x030C0000
    if (watcher >= 0) { PyCode_ClearWatcher(watcher); }
    code_created_callback = NULL;
#else
    (void)watcher;
#endif
}

pyro_frame_layout pyro_legacy_frame_layout(void) {
    pyro_frame_layout layout = {0, 0, 0, 0};
#if PY_VERSION_HEX < 0x030C0000
    layout.lineno = offsetof(PyFrameObject, f_lineno);
    layout.trace_lines = offsetof(PyFrameObject, f_trace_lines);
    layout.interp_frame = offsetof(PyFrameObject, f_frame);
    layout.frame_code = offsetof(_PyInterpreterFrame, f_code);
#endif
    return layout;
}

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

// The innermost Python frame of a thread.
static inline _PyInterpreterFrame *thread_innermost_frame(PyThreadState *tstate) {
#if PY_VERSION_HEX >= 0x030D0000
    return tstate->current_frame;
#else
    return tstate->cframe ? tstate->cframe->current_frame : NULL;
#endif
}

// The calling thread's state while it holds the GIL, else NULL.
static inline PyThreadState *gil_holding_thread_state(void) {
#if PY_VERSION_HEX >= 0x030D0000
    return PyThreadState_GetUnchecked();
#elif PY_VERSION_HEX >= 0x030C0000
    return _PyThreadState_UncheckedGet();
#else
    PyThreadState *holder = _PyThreadState_UncheckedGet();
    return holder != NULL && holder == PyGILState_GetThisThreadState() ? holder : NULL;
#endif
}

int pyro_thread_holds_gil(void) { return gil_holding_thread_state() != NULL; }

// The innermost Python frame of the running thread (none without the GIL: the
// frames would be another thread's, or changing under us).
static inline _PyInterpreterFrame *innermost_frame(void) {
    PyThreadState *tstate = gil_holding_thread_state();
    return tstate ? thread_innermost_frame(tstate) : NULL;
}

// A frame's code object; NULL for a frame that runs none (3.13's shim frames).
static inline PyCodeObject *frame_code(_PyInterpreterFrame *frame) {
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *executable = frame->f_executable;
    return executable != NULL && PyCode_Check(executable) ? (PyCodeObject *)executable : NULL;
#else
    return frame->f_code;
#endif
}

static int frame_location(_PyInterpreterFrame *frame, PyObject **code, int *offset) {
#if PY_VERSION_HEX >= 0x030C0000
    if (frame->owner == FRAME_OWNED_BY_CSTACK) { return 0; }
#endif
    PyCodeObject *co = frame_code(frame);
    if (co == NULL) { return 0; }
    *code = (PyObject *)co;
#if PY_VERSION_HEX >= 0x030D0000
    *offset = (int)(frame->instr_ptr - _PyCode_CODE(co));
#else
    *offset = (int)(frame->prev_instr - _PyCode_CODE(co));
#endif
    return 1;
}

int pyro_current_location(PyObject **code, int *offset) {
    for (_PyInterpreterFrame *frame = innermost_frame(); frame != NULL; frame = frame->previous) {
        if (frame_location(frame, code, offset)) { return 1; }
    }
    return 0;
}

int pyro_current_stack(PyObject **codes, int *offsets, int capacity) {
    int count = 0;
    for (_PyInterpreterFrame *frame = innermost_frame(); frame != NULL && count < capacity; frame = frame->previous) {
        if (frame_location(frame, &codes[count], &offsets[count])) { count++; }
    }
    return count;
}

// ---- Heap census ----

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

// Type objects: a heap type's tp_traverse leaves out its name, qualified name
// and __slots__ (str and a tuple of str); a static type is no GC object and is
// not traversed at all, yet holds its dict, MRO and bases. (Builtin static
// types keep their dict in the interpreter since 3.12.)
static int visit_type_fields(PyTypeObject *type, visitproc visit, void *arg) {
    if (type->tp_flags & Py_TPFLAGS_HEAPTYPE) {
        PyHeapTypeObject *heap = (PyHeapTypeObject *)type;
        Py_VISIT(heap->ht_name);
        Py_VISIT(heap->ht_qualname);
        Py_VISIT(heap->ht_slots);
        return 0;
    }
#if PY_VERSION_HEX >= 0x030C0000
    Py_VISIT(_PyType_GetDict(type));
#else
    Py_VISIT(type->tp_dict);
#endif
    Py_VISIT(type->tp_mro);
    Py_VISIT(type->tp_bases);
    Py_VISIT((PyObject *)type->tp_base);
    return 0;
}

int pyro_visit_hidden(PyObject *o, visitproc visit, visitproc shallow, void *arg) {
    if (PyDict_Check(o)) { return visit_hidden_dict_keys(o, visit, arg); }
    if (PyCode_Check(o)) { return visit_code_fields((PyCodeObject *)o, visit, arg); }
    if (PyType_Check(o)) { return visit_type_fields((PyTypeObject *)o, visit, arg); }
#if PY_VERSION_HEX >= 0x030D0000
    PyTypeObject *type = Py_TYPE(o);
    if ((type->tp_flags & Py_TPFLAGS_MANAGED_DICT) && (type->tp_flags & Py_TPFLAGS_INLINE_VALUES)
        && _PyObject_InlineValues(o)->valid) {
        PyObject *dict = (PyObject *)_PyObject_GetManagedDict(o);
        if (dict != NULL) { return shallow(dict, arg); }
    }
#else
    (void)shallow;
#endif
    return 0;
}

void *pyro_allocation_base(PyObject *o) {
    return (char *)o - _PyType_PreHeaderSize(Py_TYPE(o));
}

static PyObject *frame_function(_PyInterpreterFrame *frame) {
#if PY_VERSION_HEX >= 0x030C0000
    return frame->f_funcobj;
#else
    return (PyObject *)frame->f_func;
#endif
}

// Calls `each` for every frame whose locals belong to a thread (not to a
// generator or a frame object), in every thread, innermost first; stops at the
// first non-zero answer.
static int each_thread_frame(int (*each)(_PyInterpreterFrame *, void *), void *arg) {
    PyInterpreterState *interp = PyInterpreterState_Get();
    for (PyThreadState *tstate = PyInterpreterState_ThreadHead(interp); tstate != NULL; tstate = PyThreadState_Next(tstate)) {
        for (_PyInterpreterFrame *frame = thread_innermost_frame(tstate); frame != NULL; frame = frame->previous) {
            if (frame->owner != FRAME_OWNED_BY_THREAD || frame_code(frame) == NULL) { continue; }
            int stop = each(frame, arg);
            if (stop) { return stop; }
        }
    }
    return 0;
}

typedef struct { visitproc visit; void *arg; } frame_visit;

static int visit_frame(_PyInterpreterFrame *frame, void *context) {
    visitproc visit = ((frame_visit *)context)->visit;
    void *arg = ((frame_visit *)context)->arg;
    // The frame object made for it (sys._getframe(), a traceback) does not show
    // the frame's locals: they are visited here.
    Py_VISIT((PyObject *)frame->frame_obj);
    Py_VISIT(frame_function(frame));
    Py_VISIT(frame->f_globals);
    Py_VISIT(frame->f_builtins);
    Py_VISIT(frame->f_locals);
    PyCodeObject *code = frame_code(frame);
    for (int i = 0; i < code->co_nlocalsplus; i++) { Py_VISIT(frame->localsplus[i]); }
    return 0;
}

int pyro_visit_thread_frames(visitproc visit, void *arg) {
    frame_visit context = { visit, arg };
    return each_thread_frame(visit_frame, &context);
}

typedef struct { pyro_frame_local_fn each; void *arg; } frame_locals;

static int report_frame_locals(_PyInterpreterFrame *frame, void *context) {
    frame_locals *locals = context;
    PyObject *code = NULL;
    int offset = 0;
    int line = frame_location(frame, &code, &offset) ? PyCode_Addr2Line((PyCodeObject *)code, offset * 2) : 0;
    PyCodeObject *co = frame_code(frame);
    for (int i = 0; i < co->co_nlocalsplus; i++) {
        PyObject *value = frame->localsplus[i];
        if (value != NULL) { locals->each((PyObject *)co, PyTuple_GET_ITEM(co->co_localsplusnames, i), value, line, locals->arg); }
    }
    return 0;
}

void pyro_each_frame_local(pyro_frame_local_fn each, void *arg) {
    frame_locals context = { each, arg };
    each_thread_frame(report_frame_locals, &context);
}

// pyro_is_tracked reads the GC header's first word at o - 16.
_Static_assert(sizeof(PyGC_Head) == 2 * sizeof(uintptr_t), "GC header of two words");
_Static_assert(offsetof(PyGC_Head, _gc_next) == 0, "_gc_next first");
#ifdef Py_GIL_DISABLED
#error "free-threaded builds keep GC state in the object header; pyro_is_tracked needs their layout"
#endif

int pyro_code_line(PyObject *code, int offset) {
    return PyCode_Addr2Line((PyCodeObject *)code, offset * (int)sizeof(_Py_CODEUNIT));
}
