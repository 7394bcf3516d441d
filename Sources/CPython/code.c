// The version boundary, code objects: the per-code scratch slot (co_extra), code
// watchers, sys.monitoring's availability, and instruction offsets to lines.
#include "boundary.h"
#include <internal/pycore_code.h>  // _Py_CODEUNIT (internal since 3.13)

// The C-API names of co_extra: private on 3.11, PyUnstable_ since 3.12.
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

// PyCode_Addr2Line takes a byte offset.
int pyro_code_line(PyObject *code, int offset) {
    return PyCode_Addr2Line((PyCodeObject *)code, offset * (int)sizeof(_Py_CODEUNIT));
}

// Code objects going away, for the sampler: a watcher's destroy event on 3.12+,
// on 3.11 (which has no code watchers) a wrapper of PyCode_Type's tp_dealloc.
// `callback` runs holding the GIL while the code object is still whole.
static pyro_code_destroyed_fn code_destroyed_callback;

#if PY_VERSION_HEX >= 0x030C0000
static int on_code_destroyed(PyCodeEvent event, PyCodeObject *code) {
    if (event == PY_CODE_EVENT_DESTROY && code_destroyed_callback) {
        PyObject *pending = PyErr_GetRaisedException();
        code_destroyed_callback((PyObject *)code);
        PyErr_SetRaisedException(pending);
    }
    return 0;
}
#else
static destructor wrapped_code_dealloc;
static void dealloc_code_watched(PyObject *code) {
    pyro_note_code_dying(code);
    if (code_destroyed_callback) {
        PyObject *type, *value, *traceback;
        PyErr_Fetch(&type, &value, &traceback);
        code_destroyed_callback(code);
        PyErr_Restore(type, value, traceback);
    }
    wrapped_code_dealloc(code);
}
#endif

int pyro_watch_code_destruction(pyro_code_destroyed_fn callback) {
    code_destroyed_callback = callback;
#if PY_VERSION_HEX >= 0x030C0000
    int watcher = PyCode_AddWatcher(on_code_destroyed);
    if (watcher < 0) {
        PyErr_Clear();
        code_destroyed_callback = NULL;
    }
    return watcher;
#else
    if (PyCode_Type.tp_dealloc != dealloc_code_watched) {
        wrapped_code_dealloc = PyCode_Type.tp_dealloc;
        PyCode_Type.tp_dealloc = dealloc_code_watched;
    }
    return 0;
#endif
}

void pyro_unwatch_code_destruction(int watcher) {
#if PY_VERSION_HEX >= 0x030C0000
    if (watcher >= 0) { PyCode_ClearWatcher(watcher); }
#else
    // Put back only if nothing wrapped it after us; else ours stays, inert.
    if (watcher >= 0 && PyCode_Type.tp_dealloc == dealloc_code_watched) { PyCode_Type.tp_dealloc = wrapped_code_dealloc; }
#endif
    code_destroyed_callback = NULL;
}

// For the sampler's naming of a code pointer it has not named before: a code
// object whose name and file are strings. (Its samples were taken while it
// lived; this guards against a pointer read from a torn frame. The reference
// count is no test: the samples of a code object being destroyed are named from
// the destruction hook, when it is already 0.)
int pyro_code_looks_alive(PyObject *code) {
    if (Py_TYPE(code) != &PyCode_Type) { return 0; }
    PyCodeObject *co = (PyCodeObject *)code;
    return co->co_qualname != NULL && PyUnicode_CheckExact(co->co_qualname)
        && co->co_filename != NULL && PyUnicode_CheckExact(co->co_filename);
}
