import CPython
import FoundationEssentials
import Glibc

public enum Paths {
    /// An absolute, symlink-free form of `path` (relative paths are taken from the
    /// working directory). Pseudo-files such as `<string>` are returned unchanged.
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("<") { return path }
        let joined = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        if let resolved = realpath(joined, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        return standardized(joined)
    }

    /// `path` with `.` and `..` components resolved textually (for a path that
    /// does not exist, so realpath cannot).
    static func standardized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == "..", !parts.isEmpty, parts.last != ".." { parts.removeLast(); continue }
            if part == "..", path.hasPrefix("/") { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// The folder part of a path, as `dirname` without the trailing "." ("" for a bare name).
    public static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    /// The last component of a path.
    public static func fileName(of path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// A file name or path without its extension (`a/b.py` -> `a/b`).
    public static func deletingExtension(_ path: String) -> String {
        let name = fileName(of: path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return path }
        return String(path.dropLast(name.distance(from: dot, to: name.endIndex)))
    }

    /// The extension of a path's file name, without the dot ("" when none).
    public static func pathExtension(_ path: String) -> String {
        let name = fileName(of: path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }

    /// Whether `path` is a directory; nil when nothing is there.
    public static func isDirectory(_ path: String) -> Bool? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether `path` is a regular file (not a directory, device, fifo...).
    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// `path` made absolute against the working directory now (before the
    /// program runs and perhaps changes it).
    public static func absoluteAtStart(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// Writes `bytes` to `path` (created or truncated); a failure is one line
    /// naming the path and the system's reason.
    public static func write(_ bytes: some Collection<UInt8>, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(path) }
        defer { close(descriptor) }
        let written = Array(bytes).withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += count
            }
            return true
        }
        guard written else { throw failure(path) }
    }

    /// `cannot write 'PATH': <strerror(errno)>`.
    private static func failure(_ path: String) -> PyrometerError {
        PyrometerError("cannot write '\(path)': \(String(cString: strerror(errno)).lowercased())")
    }

    /// Throws a one-line error unless `path` can be created or overwritten, so a
    /// bad `-o` is refused before the program runs rather than after. The file is
    /// opened for writing (and removed again if it was not there): permissions
    /// alone do not tell, e.g. root may "write" in /proc, where nothing can be made.
    public static func checkWritable(_ path: String) throws {
        if isDirectory(path) == true { throw PyrometerError("cannot write '\(path)': it is a directory") }
        let parent = Paths.folder(of: path)
        let folder = parent.isEmpty ? "." : parent
        guard isDirectory(folder) == true else {
            throw PyrometerError("cannot write '\(path)': no such directory '\(folder)'")
        }
        if pyro_is_kernel_filesystem(folder) != 0 {
            throw PyrometerError("cannot write '\(path)': '\(folder)' is a kernel interface, not a place for files")
        }
        let existed = isDirectory(path) != nil
        let descriptor = open(path, existed ? O_WRONLY | O_NONBLOCK : O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw failure(path) }
        close(descriptor)
        if !existed { unlink(path) }
    }
}
