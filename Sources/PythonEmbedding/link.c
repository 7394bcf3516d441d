// Links libpython into programs that embed the interpreter (see Package.swift).
