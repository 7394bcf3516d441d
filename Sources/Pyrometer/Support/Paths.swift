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

    /// `path` made absolute against the working directory now (before the
    /// program runs and perhaps changes it).
    public static func absoluteAtStart(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// Throws a one-line error unless `path` can be created or overwritten, so a
    /// bad `-o` is refused before the program runs rather than after.
    public static func checkWritable(_ path: String) throws {
        let manager = FileManager.default
        if let isDirectory = isDirectory(path) {
            if isDirectory || !manager.isWritableFile(atPath: path) {
                throw PyrometerError("cannot write '\(path)': \(isDirectory ? "it is a directory" : "permission denied")")
            }
            return
        }
        let parent = Paths.folder(of: path)
        let folder = parent.isEmpty ? "." : parent
        guard isDirectory(folder) == true else {
            throw PyrometerError("cannot write '\(path)': no such directory '\(folder)'")
        }
        guard manager.isWritableFile(atPath: folder) else {
            throw PyrometerError("cannot write '\(path)': directory '\(folder)' is not writable")
        }
    }
}
